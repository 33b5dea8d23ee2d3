/* mn_lut_s8.c - int8 -> int8 table lookup (LOGISTIC, HARD_SWISH) (reference). Contract: mn_kernels.h.
 * In-place safe. */
#include "mn_kernels.h"

void mn_lut_s8(const mn_lut_params *p, const int8_t *in, int8_t *out) {
  const int8_t *t = p->table;
  for (int32_t i = 0; i < p->size; i++) out[i] = t[(int32_t)in[i] + 128];
}
