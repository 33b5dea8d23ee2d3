/* mn_dw_conv_s8.c - int8 depthwise convolution, any kernel/stride/dilation/multiplier (reference), full tensor
 * and row by row. Contract: mn_kernels.h. */
#include <stddef.h>
#include "mn_fixed.h"
#include "mn_kernels.h"

#define MN_DW_MAX_KH 16

/* Channels are processed in blocks, innermost: input pixels and weights are contiguous along channels, so the
 * inner loop is a straight multiply-accumulate (the int32 sums equal the per-channel tap order's exactly). */
#define MN_DW_CH_BLOCK 32

static void dw_row_multiplier(const mn_dw_conv_params *p, const int8_t *const *rows, int8_t *out_row) {
  for (int32_t ox = 0; ox < p->out_w; ox++) {
    const int32_t ix0 = ox * p->stride_w - p->pad_left;
    int8_t *y = out_row + ox * p->out_c;
    for (int32_t ic = 0; ic < p->in_c; ic++) {
      for (int32_t m = 0; m < p->depth_mult; m++) {
        const int32_t oc = ic * p->depth_mult + m;
        int32_t acc = 0;
        for (int32_t ky = 0; ky < p->k_h; ky++) {
          const int8_t *row = rows[ky];
          if (row == NULL) continue;
          for (int32_t kx = 0; kx < p->k_w; kx++) {
            const int32_t ix = ix0 + kx * p->dil_w;
            if (ix < 0 || ix >= p->in_w) continue;
            acc += (int32_t)p->weights[(ky * p->k_w + kx) * p->out_c + oc] * ((int32_t)row[ix * p->in_c + ic] + p->in_offset);
          }
        }
        if (p->bias) acc += p->bias[oc];
        acc = mn_requant(acc, p->mult[oc], p->shift[oc]) + p->out_offset;
        y[oc] = (int8_t)mn_clamp(acc, p->act_min, p->act_max);
      }
    }
  }
}

void mn_dw_conv_row_s8(const mn_dw_conv_params *p, const int8_t *const *rows, int8_t *out_row) {
  if (p->depth_mult != 1) {
    dw_row_multiplier(p, rows, out_row);
    return;
  }
  const int32_t c = p->out_c;
  for (int32_t ox = 0; ox < p->out_w; ox++) {
    const int32_t ix0 = ox * p->stride_w - p->pad_left;
    int8_t *y = out_row + ox * c;
    for (int32_t c0 = 0; c0 < c; c0 += MN_DW_CH_BLOCK) {
      const int32_t n = MN_MIN(MN_DW_CH_BLOCK, c - c0);
      int32_t acc[MN_DW_CH_BLOCK];
      for (int32_t k = 0; k < n; k++) acc[k] = p->bias ? p->bias[c0 + k] : 0;
      for (int32_t ky = 0; ky < p->k_h; ky++) {
        const int8_t *row = rows[ky];
        if (row == NULL) continue;
        for (int32_t kx = 0; kx < p->k_w; kx++) {
          const int32_t ix = ix0 + kx * p->dil_w;
          if (ix < 0 || ix >= p->in_w) continue;
          const int8_t *x = row + ix * c + c0;
          const int8_t *w = p->weights + (ky * p->k_w + kx) * c + c0;
          for (int32_t k = 0; k < n; k++) acc[k] += (int32_t)w[k] * ((int32_t)x[k] + p->in_offset);
        }
      }
      for (int32_t k = 0; k < n; k++) {
        const int32_t v = mn_requant(acc[k], p->mult[c0 + k], p->shift[c0 + k]) + p->out_offset;
        y[c0 + k] = (int8_t)mn_clamp(v, p->act_min, p->act_max);
      }
    }
  }
}

void mn_dw_conv_s8(const mn_dw_conv_params *p, const int8_t *in, int8_t *out) {
  const int8_t *rows[MN_DW_MAX_KH];
  for (int32_t oy = 0; oy < p->out_h; oy++) {
    mn_rows_for_output(in, p->in_h, p->in_w * p->in_c, oy, p->stride_h, p->pad_top, p->dil_h, p->k_h, rows);
    mn_dw_conv_row_s8(p, rows, out + oy * p->out_w * p->out_c);
  }
}
