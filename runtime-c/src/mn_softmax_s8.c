/* mn_softmax_s8.c - TFLM SOFTMAX, int8 input, int8 or int16 output (reference). Contract: mn_kernels.h.
 * In-place safe for int8 output. */
#include "mn_fixed.h"
#include "mn_gemmlowp.h"
#include "mn_kernels.h"

/* RoundingDivideByPOT for any exponent. TFLM's exponent is bits_over_unit + 31 - out_bits; it exceeds 31 only
 * for int8 output when the row sum reaches 2^28 (hundreds of maximal entries), where TFLM shifts an int32 by
 * 32 or more (undefined; mnetc's interpreter rejects the case). Here x / 2^e with 0 <= x < 2^31 then gives 0. */
static int32_t rdbpot_any(int32_t x, int32_t e) {
  if (e <= 0) return x;
  if (e > 31) return 0;
  return mn_rdbpot(x, (int)e);
}

void mn_softmax_s8(const mn_softmax_params *p, const int8_t *in, void *out) {
  const int32_t depth = p->depth;
  const int32_t *tab = p->exp_table;
  const int32_t out_min = p->out_bits == 8 ? -128 : -32768;
  const int32_t out_max = p->out_bits == 8 ? 127 : 32767;
  for (int32_t r = 0; r < p->rows; r++) {
    const int8_t *x = in + r * depth;
    int32_t max = -128;
    for (int32_t c = 0; c < depth; c++) max = MN_MAX(max, (int32_t)x[c]);
    uint32_t sum = 0u; /* Q12.19, wrapping like TFLM's int32 add */
    for (int32_t c = 0; c < depth; c++) sum += (uint32_t)mn_rescale(tab[max - x[c]], 0, 12);
    int bits_over_unit = 0;
    const int32_t recip = mn_get_reciprocal((int32_t)sum, 12, &bits_over_unit);
    const int32_t exponent = bits_over_unit + 31 - p->out_bits;
    /* each element is read before it is written (in-place safe for int8 output) */
    if (p->out_bits == 8) {
      int8_t *y = (int8_t *)out + r * depth;
      for (int32_t c = 0; c < depth; c++) {
        const int32_t e = tab[max - x[c]];
        y[c] = (int8_t)mn_clamp(rdbpot_any(mn_srdhm(recip, e), exponent) + out_min, out_min, out_max);
      }
    } else {
      int16_t *y = (int16_t *)out + r * depth;
      for (int32_t c = 0; c < depth; c++) {
        const int32_t e = tab[max - x[c]];
        y[c] = (int16_t)mn_clamp(rdbpot_any(mn_srdhm(recip, e), exponent) + out_min, out_min, out_max);
      }
    }
  }
}
