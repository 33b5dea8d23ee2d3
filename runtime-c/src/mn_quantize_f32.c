/* mn_quantize_f32.c - float32 -> int8/uint8 QUANTIZE (reference). Contract: mn_kernels.h. */
#include "mn_fixed.h"
#include "mn_kernels.h"

void mn_quantize_f32(const mn_quantize_f32_params *p, const float *in, void *out) {
  const int32_t lo = p->out_unsigned ? 0 : -128, hi = p->out_unsigned ? 255 : 127;
  for (int32_t i = 0; i < p->size; i++) {
    const int32_t r = mn_round_f32(in[i] / p->scale);
    /* add in 64 bits: r may be near INT32_MAX for huge inputs */
    const int64_t q = (int64_t)r + p->zero_point;
    const int32_t y = q < lo ? lo : (q > hi ? hi : (int32_t)q);
    if (p->out_unsigned) ((uint8_t *)out)[i] = (uint8_t)y;
    else ((int8_t *)out)[i] = (int8_t)y;
  }
}
