/* mn_fc_s8.c - int8 fully connected (reference). Contract: mn_kernels.h. */
#include "mn_fixed.h"
#include "mn_kernels.h"

void mn_fc_s8(const mn_fc_params *p, const int8_t *in, int8_t *out) {
  for (int32_t b = 0; b < p->batches; b++) {
    const int8_t *x = in + b * p->depth;
    for (int32_t o = 0; o < p->out_c; o++) {
      const int8_t *w = p->weights + o * p->depth;
      int32_t acc = p->bias ? p->bias[o] : 0;
      for (int32_t d = 0; d < p->depth; d++) acc += ((int32_t)w[d] + p->w_offset) * ((int32_t)x[d] + p->in_offset);
      acc = mn_requant(acc, p->mult[o], p->shift[o]) + p->out_offset;
      out[b * p->out_c + o] = (int8_t)mn_clamp(acc, p->act_min, p->act_max);
    }
  }
}
