/* mn_mean_s8.c - TFLM int8 MEAN over any axes (reference). Contract: mn_kernels.h. */
#include "mn_fixed.h"
#include "mn_kernels.h"

/* inner elements summed per pass over the reduced dimensions (a block of accumulators on the stack) */
#define MN_MEAN_BLOCK 32

void mn_mean_s8(const mn_mean_params *p, const int8_t *in, int8_t *out) {
  int32_t oc[4] = {0, 0, 0, 0};
  int32_t outer = 1, reduced = 1;
  for (int32_t d = 0; d < p->outer_rank; d++) outer *= p->outer_dims[d];
  for (int32_t d = 0; d < p->red_rank; d++) reduced *= p->red_dims[d];
  int32_t base = 0;
  /* one output per outer position, reduced along one dimension (MEAN over the last axis, e.g. MCUNet's head):
   * the same int32 sum (wrapping as uint32) without the block bookkeeping */
  const int single = p->inner == 1 && p->red_rank == 1;
  for (int32_t o = 0; o < outer; o++) {
    if (single) {
      const int8_t *src = in + base;
      const int32_t st = p->red_strides[0];
      uint32_t acc = 0u;
      for (int32_t r = 0; r < reduced; r++, src += st) acc += (uint32_t)(int32_t)*src;
      const int32_t y = mn_requant((int32_t)(acc - (uint32_t)p->correction), p->mult, p->shift) + p->out_offset;
      *out++ = (int8_t)mn_clamp(y, -128, 127);
    }
    for (int32_t c0 = 0; c0 < p->inner && !single; c0 += MN_MEAN_BLOCK) {
      const int32_t n = MN_MIN(MN_MEAN_BLOCK, p->inner - c0);
      uint32_t acc[MN_MEAN_BLOCK];
      int32_t rc[4] = {0, 0, 0, 0};
      int32_t roff = 0;
      for (int32_t k = 0; k < n; k++) acc[k] = 0u;
      for (int32_t r = 0; r < reduced; r++) {
        const int8_t *src = in + base + roff + c0;
        /* int32 sums wrap modulo 2^32 (TFLM adds in int32); uint32 keeps that defined */
        for (int32_t k = 0; k < n; k++) acc[k] += (uint32_t)(int32_t)src[k];
        for (int32_t d = p->red_rank - 1; d >= 0; d--) {
          roff += p->red_strides[d];
          if (++rc[d] < p->red_dims[d]) break;
          roff -= p->red_strides[d] * p->red_dims[d];
          rc[d] = 0;
        }
      }
      for (int32_t k = 0; k < n; k++) {
        const int32_t x = (int32_t)(acc[k] - (uint32_t)p->correction);
        const int32_t y = mn_requant(x, p->mult, p->shift) + p->out_offset;
        *out++ = (int8_t)mn_clamp(y, -128, 127);
      }
    }
    for (int32_t d = p->outer_rank - 1; d >= 0; d--) {
      base += p->outer_strides[d];
      if (++oc[d] < p->outer_dims[d]) break;
      base -= p->outer_strides[d] * p->outer_dims[d];
      oc[d] = 0;
    }
  }
}
