/* mn_pad_s8.c - constant padding of up to 4-D tensors of bytes (reference). Contract: mn_kernels.h. */
#include <string.h>
#include "mn_kernels.h"

void mn_pad_s8(const mn_pad_params *p, const int8_t *in, int8_t *out) {
  const int32_t *id = p->in_dims, *od = p->out_dims, *b = p->before;
  memset(out, p->value, (size_t)od[0] * (size_t)od[1] * (size_t)od[2] * (size_t)od[3]);
  for (int32_t i0 = 0; i0 < id[0]; i0++)
    for (int32_t i1 = 0; i1 < id[1]; i1++)
      for (int32_t i2 = 0; i2 < id[2]; i2++) {
        const int8_t *src = in + ((i0 * id[1] + i1) * id[2] + i2) * id[3];
        int8_t *dst = out + (((i0 + b[0]) * od[1] + i1 + b[1]) * od[2] + i2 + b[2]) * od[3] + b[3];
        memcpy(dst, src, (size_t)id[3]);
      }
}
