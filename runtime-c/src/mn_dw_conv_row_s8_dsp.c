/* mn_dw_conv_row_s8_dsp.c - one output row of an int8 depthwise convolution for Armv7E-M / Armv8-M DSP,
 * bit-exact with mn_dw_conv_row_s8: mn_dw_conv_rows_s8_dsp on one row. Contract: mn_kernels.h; weights in
 * MN_FMT_DW_CV when MN_DWCV_APPLIES(p), else reference order (mn_kernels_opt.h). */
#include "mn_kernels.h"
#include "mn_kernels_opt.h"

void mn_dw_conv_row_s8_dsp(const mn_dw_conv_params *p, const int8_t *const *rows, int8_t *out_row) {
  if (!MN_DWCV_APPLIES(p)) mn_dw_conv_row_s8(p, rows, out_row);
  else mn_dw_conv_rows_s8_dsp(p, rows, 1, out_row);
}
