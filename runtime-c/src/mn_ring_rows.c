/* mn_ring_rows.c - input row pointers of one output row, read from a ring of rows. Contract: mn_stream.h. */
#include <stddef.h>
#include "mn_stream.h"

void mn_ring_rows(const int8_t *ring, int32_t ring_rows, int32_t row_bytes, int32_t in_h, int32_t oy, int32_t stride,
                  int32_t pad_top, int32_t dil, int32_t k_h, const int8_t **rows) {
  for (int32_t ky = 0; ky < k_h; ky++) {
    const int32_t iy = oy * stride - pad_top + ky * dil;
    rows[ky] = (iy < 0 || iy >= in_h) ? NULL : ring + (iy % ring_rows) * row_bytes;
  }
}
