/* mn_maxpool_s8.c - int8 max pooling (reference). Contract: mn_kernels.h. */
#include "mn_fixed.h"
#include "mn_kernels.h"

void mn_maxpool_s8(const mn_pool_params *p, const int8_t *in, int8_t *out) {
  for (int32_t oy = 0; oy < p->out_h; oy++) {
    const int32_t iy0 = oy * p->stride_h - p->pad_top;
    const int32_t fy0 = MN_MAX(0, -iy0), fy1 = MN_MIN(p->k_h, p->in_h - iy0);
    for (int32_t ox = 0; ox < p->out_w; ox++) {
      const int32_t ix0 = ox * p->stride_w - p->pad_left;
      const int32_t fx0 = MN_MAX(0, -ix0), fx1 = MN_MIN(p->k_w, p->in_w - ix0);
      for (int32_t c = 0; c < p->channels; c++) {
        int32_t m = -128;
        for (int32_t fy = fy0; fy < fy1; fy++)
          for (int32_t fx = fx0; fx < fx1; fx++) m = MN_MAX(m, (int32_t)in[((iy0 + fy) * p->in_w + ix0 + fx) * p->channels + c]);
        out[(oy * p->out_w + ox) * p->channels + c] = (int8_t)mn_clamp(m, p->act_min, p->act_max);
      }
    }
  }
}
