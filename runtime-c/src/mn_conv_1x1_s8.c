/* mn_conv_1x1_s8.c - pointwise int8 convolution with the input offset folded into the bias (reference).
 * Contract: mn_kernels.h. */
#include "mn_fixed.h"
#include "mn_kernels.h"

void mn_conv_1x1_s8(const mn_conv_1x1_params *p, const int8_t *in, int8_t *out) {
  for (int32_t px = 0; px < p->pixels; px++) {
    const int8_t *x = in + px * p->in_c;
    int8_t *y = out + px * p->out_c;
    const int8_t *w = p->weights;
    for (int32_t oc = 0; oc < p->out_c; oc++, w += p->in_c) {
      int32_t acc = p->bias[oc];
      for (int32_t c = 0; c < p->in_c; c++) acc += (int32_t)w[c] * (int32_t)x[c];
      acc = mn_requant(acc, p->mult[oc], p->shift[oc]) + p->out_offset;
      y[oc] = (int8_t)mn_clamp(acc, p->act_min, p->act_max);
    }
  }
}
