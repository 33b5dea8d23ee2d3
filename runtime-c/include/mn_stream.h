/*
 * mn_stream.h - helpers for row-streamed regions (generated code runs several layers one row at a time).
 *
 * A tensor inside a region is either full (every row in the arena) or a ring of R rows: row y lives in slot
 * y % R. Full tensors are rings with R equal to their height, so one addressing rule serves both.
 */
#ifndef MN_STREAM_H
#define MN_STREAM_H

#include <stdint.h>

/* Input rows a convolution (stride, top padding, kernel height, dilation) needs to produce its first n
 * output rows, clipped to the input height. */
static inline int32_t mn_rows_needed(int32_t n, int32_t stride, int32_t pad_top, int32_t k, int32_t dil, int32_t in_h) {
  if (n <= 0) return 0;
  const int32_t hi = (n - 1) * stride - pad_top + (k - 1) * dil + 1;
  return hi < 0 ? 0 : (hi > in_h ? in_h : hi);
}

/* Address of row y of a ring of ring_rows rows of row_bytes bytes. */
static inline int8_t *mn_ring_row(int8_t *ring, int32_t ring_rows, int32_t row_bytes, int32_t y) {
  return ring + (y % ring_rows) * row_bytes;
}

/* Row input (modules compiled with --input-rows): the application's callback that copies row `row` of the
 * model input into `dst`; the generated code asks for rows 0..H-1 in order, each exactly once. */
typedef struct {
  void (*read)(void *user, int32_t row, void *dst);
  void *user;
} mn_row_reader;

/* rows[ky] for output row oy of a convolution reading a ring (NULL outside the image), as the row kernels
 * (mn_conv_row_s8, mn_dw_conv_row_s8) expect; row_bytes is the distance between two rows (with halos, more
 * than a row). Inline: the generated code calls it with constants on every row. */
static inline void mn_ring_rows(const int8_t *ring, int32_t ring_rows, int32_t row_bytes, int32_t in_h, int32_t oy,
                                int32_t stride, int32_t pad_top, int32_t dil, int32_t k_h, const int8_t **rows) {
  for (int32_t ky = 0; ky < k_h; ky++) {
    const int32_t iy = oy * stride - pad_top + ky * dil;
    rows[ky] = (iy < 0 || iy >= in_h) ? (const int8_t *)0 : ring + (iy % ring_rows) * row_bytes;
  }
}

#endif /* MN_STREAM_H */
