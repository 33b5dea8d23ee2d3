/* mn_rows_for_output.c - input row pointers of one output row of a convolution over a full tensor.
 * Contract: mn_kernels.h. */
#include <stddef.h>
#include "mn_kernels.h"

void mn_rows_for_output(const int8_t *in, int32_t in_h, int32_t row_bytes, int32_t oy, int32_t stride_h, int32_t pad_top,
                        int32_t dil_h, int32_t k_h, const int8_t **rows) {
  for (int32_t ky = 0; ky < k_h; ky++) {
    const int32_t iy = oy * stride_h - pad_top + ky * dil_h;
    rows[ky] = (iy < 0 || iy >= in_h) ? NULL : in + iy * row_bytes;
  }
}
