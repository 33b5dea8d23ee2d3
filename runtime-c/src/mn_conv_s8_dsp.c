/* mn_conv_s8_dsp.c - full-tensor int8 convolution through mn_conv_row_s8_dsp, bit-exact with mn_conv_s8.
 * Contract: mn_kernels.h; weights as mn_conv_row_s8_dsp (MN_FMT_CONV_PAIR when MN_CONV_PAIR_APPLIES). */
#include <stddef.h>
#include "mn_kernels.h"
#include "mn_kernels_opt.h"

#define MN_CONV_MAX_KH 16

void mn_conv_s8_dsp(const mn_conv_params *p, const int8_t *in, int8_t *out) {
  if (p->k_h > MN_CONV_MAX_KH) {
    mn_conv_s8(p, in, out); /* the reference cannot run it either; keep its behaviour */
    return;
  }
  const int8_t *rows[MN_CONV_MAX_KH];
  const int32_t row_bytes = p->in_w * p->in_c;
  for (int32_t oy = 0; oy < p->out_h; oy++) {
    for (int32_t ky = 0; ky < p->k_h; ky++) {
      const int32_t iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
      rows[ky] = (iy < 0 || iy >= p->in_h) ? NULL : in + iy * row_bytes;
    }
    mn_conv_row_s8_dsp(p, rows, out + oy * p->out_w * p->out_c);
  }
}
