/* mn_transpose.c - permutation of up to 6-D tensors with 1, 2 or 4-byte elements (reference).
 * Contract: mn_kernels.h. */
#include <string.h>
#include "mn_kernels.h"

void mn_transpose(const mn_transpose_params *p, const void *in, void *out) {
  int32_t in_strides[6], out_dims[6], idx[6];
  int32_t total = 1;
  in_strides[p->rank - 1] = 1;
  for (int32_t d = p->rank - 2; d >= 0; d--) in_strides[d] = in_strides[d + 1] * p->in_dims[d + 1];
  for (int32_t d = 0; d < p->rank; d++) {
    out_dims[d] = p->in_dims[p->perm[d]];
    total *= out_dims[d];
    idx[d] = 0;
  }
  const unsigned char *src = (const unsigned char *)in;
  unsigned char *dst = (unsigned char *)out;
  const size_t eb = (size_t)p->elem_bytes;
  for (int32_t o = 0; o < total; o++) {
    int32_t off = 0;
    for (int32_t d = 0; d < p->rank; d++) off += idx[d] * in_strides[p->perm[d]];
    memcpy(dst + (size_t)o * eb, src + (size_t)off * eb, eb);
    for (int32_t d = p->rank - 1; d >= 0; d--) {
      if (++idx[d] < out_dims[d]) break;
      idx[d] = 0;
    }
  }
}
