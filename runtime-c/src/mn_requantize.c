/* mn_requantize.c - integer requantization (QUANTIZE int8/uint8, RELU, RELU6) (reference).
 * Contract: mn_kernels.h. In-place safe. */
#include "mn_fixed.h"
#include "mn_kernels.h"

void mn_requantize(const mn_requantize_params *p, const void *in, void *out) {
  const int8_t *si = (const int8_t *)in;
  const uint8_t *ui = (const uint8_t *)in;
  int8_t *so = (int8_t *)out;
  uint8_t *uo = (uint8_t *)out;
  for (int32_t i = 0; i < p->size; i++) {
    const int32_t x = (p->in_unsigned ? (int32_t)ui[i] : (int32_t)si[i]) - p->in_zero_point;
    const int32_t y = mn_clamp(mn_requant(x, p->mult, p->shift) + p->out_offset, p->act_min, p->act_max);
    if (p->out_unsigned) uo[i] = (uint8_t)y;
    else so[i] = (int8_t)y;
  }
}
