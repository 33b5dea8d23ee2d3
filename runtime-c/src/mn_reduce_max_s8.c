/* mn_reduce_max_s8.c - int8 REDUCE_MAX over any axes (reference). Contract: mn_kernels.h. */
#include "mn_fixed.h"
#include "mn_kernels.h"

void mn_reduce_max_s8(const mn_reduce_max_params *p, const int8_t *in, int8_t *out) {
  int32_t oc[4] = {0, 0, 0, 0};
  int32_t outer = 1, reduced = 1;
  for (int32_t d = 0; d < p->outer_rank; d++) outer *= p->outer_dims[d];
  for (int32_t d = 0; d < p->red_rank; d++) reduced *= p->red_dims[d];
  int32_t base = 0;
  for (int32_t o = 0; o < outer; o++) {
    for (int32_t k = 0; k < p->inner; k++) out[k] = -128;
    int32_t rc[4] = {0, 0, 0, 0};
    int32_t roff = 0;
    for (int32_t r = 0; r < reduced; r++) {
      const int8_t *src = in + base + roff;
      for (int32_t k = 0; k < p->inner; k++) out[k] = (int8_t)MN_MAX(out[k], src[k]);
      for (int32_t d = p->red_rank - 1; d >= 0; d--) {
        roff += p->red_strides[d];
        if (++rc[d] < p->red_dims[d]) break;
        roff -= p->red_strides[d] * p->red_dims[d];
        rc[d] = 0;
      }
    }
    out += p->inner;
    for (int32_t d = p->outer_rank - 1; d >= 0; d--) {
      base += p->outer_strides[d];
      if (++oc[d] < p->outer_dims[d]) break;
      base -= p->outer_strides[d] * p->outer_dims[d];
      oc[d] = 0;
    }
  }
}
