/* mn_resize_nearest.c - RESIZE_NEAREST_NEIGHBOR as a pixel gather, any element type (reference).
 * Contract: mn_kernels.h. */
#include <string.h>
#include "mn_kernels.h"

void mn_resize_nearest(const mn_resize_nearest_params *p, const void *in, void *out) {
  const unsigned char *src = (const unsigned char *)in;
  unsigned char *dst = (unsigned char *)out;
  const size_t px = (size_t)p->pixel_bytes;
  for (int32_t b = 0; b < p->batches; b++)
    for (int32_t y = 0; y < p->out_h; y++) {
      const unsigned char *row = src + ((size_t)b * (size_t)p->in_h + (size_t)p->y_index[y]) * (size_t)p->in_w * px;
      for (int32_t x = 0; x < p->out_w; x++) {
        memcpy(dst, row + (size_t)p->x_index[x] * px, px);
        dst += px;
      }
    }
}
