/* mn_add_s8.c - TFLM int8 ADD with optional 4-D broadcast (reference). Contract: mn_kernels.h. */
#include "mn_fixed.h"
#include "mn_kernels.h"

static int8_t add_one(const mn_add_params *p, int32_t a, int32_t b) {
  const int32_t sa = mn_requant_lt1(mn_shl(a + p->in1_offset, p->left_shift), p->in1_mult, p->in1_shift);
  const int32_t sb = mn_requant_lt1(mn_shl(b + p->in2_offset, p->left_shift), p->in2_mult, p->in2_shift);
  const int32_t raw = mn_requant_lt1(sa + sb, p->out_mult, p->out_shift) + p->out_offset;
  return (int8_t)mn_clamp(raw, p->act_min, p->act_max);
}

void mn_add_s8(const mn_add_params *p, const int8_t *in1, const int8_t *in2, int8_t *out) {
  if (!p->broadcast) {
    for (int32_t i = 0; i < p->size; i++) out[i] = add_one(p, in1[i], in2[i]);
    return;
  }
  const mn_broadcast4 *s = &p->shape;
  int32_t o = 0;
  for (int32_t i0 = 0; i0 < s->dims[0]; i0++)
    for (int32_t i1 = 0; i1 < s->dims[1]; i1++)
      for (int32_t i2 = 0; i2 < s->dims[2]; i2++)
        for (int32_t i3 = 0; i3 < s->dims[3]; i3++) {
          const int32_t a = in1[i0 * s->in1_strides[0] + i1 * s->in1_strides[1] + i2 * s->in1_strides[2] + i3 * s->in1_strides[3]];
          const int32_t b = in2[i0 * s->in2_strides[0] + i1 * s->in2_strides[1] + i2 * s->in2_strides[2] + i3 * s->in2_strides[3]];
          out[o++] = add_one(p, a, b);
        }
}
