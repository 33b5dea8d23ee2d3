/* mn_dw_conv_s8_dsp.c - full-tensor int8 depthwise convolution, bit-exact with mn_dw_conv_s8: blocks of up to
 * 16 output rows through mn_dw_conv_rows_s8_dsp (which shares per-channel work between the rows of a block).
 * Contract: mn_kernels.h; weights in MN_FMT_DW_CV when MN_DWCV_APPLIES(p), else reference order
 * (mn_kernels_opt.h). Stack: 16 * 7 row pointers + the rows kernel. */
#include <stddef.h>
#include "mn_kernels.h"
#include "mn_kernels_opt.h"

#define ROWS_PER_CALL 16

void mn_dw_conv_s8_dsp(const mn_dw_conv_params *p, const int8_t *in, int8_t *out) {
  if (!MN_DWCV_APPLIES(p)) {
    mn_dw_conv_s8(p, in, out);
    return;
  }
  const int8_t *rows[MN_DWCV_MAX_K * ROWS_PER_CALL];
  const int32_t row_bytes = p->in_w * p->in_c, kh = p->k_h;
  for (int32_t oy0 = 0; oy0 < p->out_h; oy0 += ROWS_PER_CALL) {
    const int32_t n = p->out_h - oy0 < ROWS_PER_CALL ? p->out_h - oy0 : ROWS_PER_CALL;
    for (int32_t r = 0; r < n; r++) {
      for (int32_t ky = 0; ky < kh; ky++) {
        const int32_t iy = (oy0 + r) * p->stride_h - p->pad_top + ky * p->dil_h;
        rows[kh * r + ky] = (iy < 0 || iy >= p->in_h) ? NULL : in + iy * row_bytes;
      }
    }
    mn_dw_conv_rows_s8_dsp(p, rows, n, out + oy0 * p->out_w * p->out_c);
  }
}
