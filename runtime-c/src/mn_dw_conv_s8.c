/* mn_dw_conv_s8.c - int8 depthwise convolution, any kernel/stride/dilation/multiplier (reference).
 * Contract: mn_kernels.h. */
#include "mn_fixed.h"
#include "mn_kernels.h"

void mn_dw_conv_rows_s8(const mn_dw_conv_params *p, const int8_t *in, int8_t *out, int32_t row_begin, int32_t row_end) {
  for (int32_t oy = row_begin; oy < row_end; oy++) {
    const int32_t iy0 = oy * p->stride_h - p->pad_top;
    for (int32_t ox = 0; ox < p->out_w; ox++) {
      const int32_t ix0 = ox * p->stride_w - p->pad_left;
      int8_t *y = out + (oy * p->out_w + ox) * p->out_c;
      for (int32_t ic = 0; ic < p->in_c; ic++) {
        for (int32_t m = 0; m < p->depth_mult; m++) {
          const int32_t oc = ic * p->depth_mult + m;
          int32_t acc = 0;
          for (int32_t ky = 0; ky < p->k_h; ky++) {
            const int32_t iy = iy0 + ky * p->dil_h;
            if (iy < 0 || iy >= p->in_h) continue;
            for (int32_t kx = 0; kx < p->k_w; kx++) {
              const int32_t ix = ix0 + kx * p->dil_w;
              if (ix < 0 || ix >= p->in_w) continue;
              const int32_t xv = (int32_t)in[(iy * p->in_w + ix) * p->in_c + ic] + p->in_offset;
              acc += (int32_t)p->weights[(ky * p->k_w + kx) * p->out_c + oc] * xv;
            }
          }
          if (p->bias) acc += p->bias[oc];
          acc = mn_requant(acc, p->mult[oc], p->shift[oc]) + p->out_offset;
          y[oc] = (int8_t)mn_clamp(acc, p->act_min, p->act_max);
        }
      }
    }
  }
}

void mn_dw_conv_s8(const mn_dw_conv_params *p, const int8_t *in, int8_t *out) {
  mn_dw_conv_rows_s8(p, in, out, 0, p->out_h);
}
