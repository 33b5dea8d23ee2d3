/* mn_mul_s8.c - TFLM int8 MUL with optional 4-D broadcast (reference). Contract: mn_kernels.h. */
#include "mn_fixed.h"
#include "mn_kernels.h"

static int8_t mul_one(const mn_mul_params *p, int32_t a, int32_t b) {
  /* |a + in1_offset|, |b + in2_offset| <= 255: the product fits int32 */
  const int32_t prod = (a + p->in1_offset) * (b + p->in2_offset);
  const int32_t raw = p->out_offset + mn_requant(prod, p->mult, p->shift);
  return (int8_t)mn_clamp(raw, p->act_min, p->act_max);
}

void mn_mul_s8(const mn_mul_params *p, const int8_t *in1, const int8_t *in2, int8_t *out) {
  if (!p->broadcast) {
    for (int32_t i = 0; i < p->size; i++) out[i] = mul_one(p, in1[i], in2[i]);
    return;
  }
  const mn_broadcast4 *s = &p->shape;
  int32_t o = 0;
  for (int32_t i0 = 0; i0 < s->dims[0]; i0++)
    for (int32_t i1 = 0; i1 < s->dims[1]; i1++)
      for (int32_t i2 = 0; i2 < s->dims[2]; i2++) {
        const int8_t *a = in1 + i0 * s->in1_strides[0] + i1 * s->in1_strides[1] + i2 * s->in1_strides[2];
        const int8_t *b = in2 + i0 * s->in2_strides[0] + i1 * s->in2_strides[1] + i2 * s->in2_strides[2];
        const int32_t sa = s->in1_strides[3], sb = s->in2_strides[3];
        for (int32_t i3 = 0; i3 < s->dims[3]; i3++) out[o++] = mul_one(p, a[i3 * sa], b[i3 * sb]);
      }
}
