/* mn_dequantize_f32.c - int8/uint8 -> float32 DEQUANTIZE (reference). Contract: mn_kernels.h. */
#include "mn_kernels.h"

void mn_dequantize_f32(const mn_dequantize_f32_params *p, const void *in, float *out) {
  for (int32_t i = 0; i < p->size; i++) {
    const int32_t q = p->in_unsigned ? (int32_t)((const uint8_t *)in)[i] : (int32_t)((const int8_t *)in)[i];
    out[i] = (float)((double)p->scale * (double)(q - p->zero_point));
  }
}
