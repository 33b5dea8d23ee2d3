/* mn_conv_s8.c - general int8 convolution (reference), full tensor and row by row. Contract: mn_kernels.h. */
#include <stddef.h>
#include "mn_fixed.h"
#include "mn_kernels.h"

#define MN_CONV_MAX_KH 16

void mn_conv_row_s8(const mn_conv_params *p, const int8_t *const *rows, int8_t *out_row) {
  const int32_t group_in_c = p->in_c / p->groups;
  const int32_t group_out_c = p->out_c / p->groups;
  for (int32_t ox = 0; ox < p->out_w; ox++) {
    const int32_t ix0 = ox * p->stride_w - p->pad_left;
    for (int32_t oc = 0; oc < p->out_c; oc++) {
      const int32_t g = oc / group_out_c;
      int32_t acc = 0;
      for (int32_t ky = 0; ky < p->k_h; ky++) {
        const int8_t *row = rows[ky];
        if (row == NULL) continue;
        for (int32_t kx = 0; kx < p->k_w; kx++) {
          const int32_t ix = ix0 + kx * p->dil_w;
          if (ix < 0 || ix >= p->in_w) continue;
          const int8_t *x = row + ix * p->in_c + g * group_in_c;
          const int8_t *w = p->weights + ((oc * p->k_h + ky) * p->k_w + kx) * group_in_c;
          for (int32_t c = 0; c < group_in_c; c++) acc += (int32_t)w[c] * ((int32_t)x[c] + p->in_offset);
        }
      }
      if (p->bias) acc += p->bias[oc];
      acc = mn_requant(acc, p->mult[oc], p->shift[oc]) + p->out_offset;
      out_row[ox * p->out_c + oc] = (int8_t)mn_clamp(acc, p->act_min, p->act_max);
    }
  }
}

void mn_conv_s8(const mn_conv_params *p, const int8_t *in, int8_t *out) {
  const int8_t *rows[MN_CONV_MAX_KH];
  for (int32_t oy = 0; oy < p->out_h; oy++) {
    mn_rows_for_output(in, p->in_h, p->in_w * p->in_c, oy, p->stride_h, p->pad_top, p->dil_h, p->k_h, rows);
    mn_conv_row_s8(p, rows, out + oy * p->out_w * p->out_c);
  }
}
