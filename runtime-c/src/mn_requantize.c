/* mn_requantize.c - integer requantization (QUANTIZE int8/uint8, RELU, RELU6). Contract: mn_kernels.h.
 * In-place safe.
 *
 * The output byte depends on the input byte only, so three exact paths share one definition (rq_ref):
 *  - identity multiplier (mult == 2^30, shift == 1: QuantizeMultiplier(1.0), same scales; also RELU6):
 *    MultiplyByQuantizedMultiplier(x, 2^30, 1) = SRDHM(2x, 2^30) = round(x * 2^31 / 2^31) = x for |x| < 2^30,
 *    so y = clamp(x - in_zero_point + out_offset, act_min, act_max): a byte-wise saturating add and clamp
 *    (below), four bytes per word;
 *  - large tensors: a 256-entry table of rq_ref, then one lookup per byte;
 *  - otherwise rq_ref per element.
 */
#include <stddef.h>
#include <string.h>
#include "mn_fixed.h"
#include "mn_kernels.h"
#if defined(__ARM_FEATURE_SIMD32)
#include <arm_acle.h>
#endif

/* tensors at least this large build the 256-entry table (~256 rq_ref calls) instead of rq_ref per element */
#define MN_RQ_TABLE_MIN 384

MN_INLINE int32_t rq_ref(const mn_requantize_params *p, int32_t raw) {
  const int32_t x = (p->in_unsigned ? (int32_t)(uint8_t)raw : (int32_t)(int8_t)raw) - p->in_zero_point;
  return mn_clamp(mn_requant(x, p->mult, p->shift) + p->out_offset, p->act_min, p->act_max);
}

/*
 * Identity multiplier on bytes. Let u = the input byte read as unsigned with 0x80 flipped for int8 input
 * (u = x + 128 * si, si = 1 for int8 input), and likewise uo = y + 128 * so for the output. Then
 * y = clamp(x + d, act_min, act_max) with d = out_offset - in_zero_point becomes
 * uo = clamp(u + D, LO, HI) with D = d - 128 * si + 128 * so, LO = act_min + 128 * so, HI = act_max + 128 * so,
 * 0 <= LO <= HI <= 255 (act range inside the output type). With |D| <= 255, u + D saturated to [0, 255]
 * (UQADD8 / UQSUB8) and then clamped to [LO, HI] equals the clamp of the exact u + D, since [LO, HI] lies
 * inside [0, 255]. The portable code does the same per byte.
 * Returns 0 (nothing done) when the parameters fall outside that case.
 */
static int rq_identity(const mn_requantize_params *p, const uint8_t *in, uint8_t *out) {
  const int32_t si = !p->in_unsigned, so = !p->out_unsigned;
  const int32_t D = p->out_offset - p->in_zero_point - 128 * si + 128 * so;
  const int32_t LO = p->act_min + 128 * so, HI = p->act_max + 128 * so;
  if (LO < 0 || HI > 255 || LO > HI || D < -255 || D > 255) return 0;
  const uint32_t fin = si ? 0x80808080u : 0, fout = so ? 0x80808080u : 0;
  int32_t n = p->size;
  if (D == 0 && LO == 0 && HI == 255) {
    /* a copy, with the top bit of each byte flipped when exactly one side is signed */
    const uint32_t f = fin ^ fout;
    if ((((uintptr_t)in | (uintptr_t)out) & 3) == 0) {
      const uint32_t *wi = (const uint32_t *)(const void *)in;
      uint32_t *wo = (uint32_t *)(void *)out;
#if defined(__thumb2__)
      int32_t blocks = n >> 4;
      if (blocks) {
        n &= 15;
        __asm__ volatile("1:\n\t"
                         "ldmia %[i]!, {r4, r5, r6, r7}\n\t"
                         "eor r4, r4, %[f]\n\t"
                         "eor r5, r5, %[f]\n\t"
                         "eor r6, r6, %[f]\n\t"
                         "eor r7, r7, %[f]\n\t"
                         "stmia %[o]!, {r4, r5, r6, r7}\n\t"
                         "subs %[b], %[b], #1\n\t"
                         "bne 1b\n\t"
                         : [i] "+r"(wi), [o] "+r"(wo), [b] "+r"(blocks)
                         : [f] "r"(f)
                         : "r4", "r5", "r6", "r7", "cc", "memory");
      }
#else
      for (; n >= 16; n -= 16, wi += 4, wo += 4) {
        const uint32_t w0 = wi[0] ^ f, w1 = wi[1] ^ f, w2 = wi[2] ^ f, w3 = wi[3] ^ f;
        wo[0] = w0, wo[1] = w1, wo[2] = w2, wo[3] = w3;
      }
#endif
      in = (const uint8_t *)wi;
      out = (uint8_t *)wo;
    }
    for (; n >= 8; n -= 8, in += 8, out += 8) {
      uint32_t w0, w1;
      memcpy(&w0, in, 4);
      memcpy(&w1, in + 4, 4);
      w0 ^= f;
      w1 ^= f;
      memcpy(out, &w0, 4);
      memcpy(out + 4, &w1, 4);
    }
    for (; n > 0; n--) *out++ = (uint8_t)(*in++ ^ (uint8_t)f);
    return 1;
  }
#if defined(__ARM_FEATURE_SIMD32)
  {
    const uint32_t dd = (uint32_t)(D < 0 ? -D : D) * 0x01010101u;
    const uint32_t lo4 = (uint32_t)LO * 0x01010101u, hi4 = (uint32_t)HI * 0x01010101u;
    for (; n >= 4; n -= 4, in += 4, out += 4) {
      uint32_t w;
      memcpy(&w, in, 4);
      w ^= fin;
      w = D < 0 ? __uqsub8(w, dd) : __uqadd8(w, dd);
      (void)__usub8(w, lo4); /* GE[i] = w[i] >= LO */
      w = __sel(w, lo4);
      (void)__usub8(w, hi4); /* GE[i] = w[i] >= HI */
      w = __sel(hi4, w);
      w ^= fout;
      memcpy(out, &w, 4);
    }
  }
#endif
  for (; n > 0; n--) {
    const int32_t u = (int32_t)(*in++ ^ (uint8_t)fin) + D;
    *out++ = (uint8_t)((uint32_t)mn_clamp(u, LO, HI) ^ (fout & 0xffu));
  }
  return 1;
}

void mn_requantize(const mn_requantize_params *p, const void *in, void *out) {
  const uint8_t *ui = (const uint8_t *)in;
  uint8_t *uo = (uint8_t *)out;
  if (p->mult == (1 << 30) && p->shift == 1 && rq_identity(p, ui, uo)) return;
  if (p->size >= MN_RQ_TABLE_MIN) {
    uint8_t table[256];
    for (int32_t u = 0; u < 256; u++) table[u] = (uint8_t)rq_ref(p, u);
    int32_t n = p->size;
    const uint8_t *t = table;
    for (; n >= 4; n -= 4, ui += 4, uo += 4) {
      uint32_t w;
      memcpy(&w, ui, 4);
      w = (uint32_t)t[w & 0xffu] | (uint32_t)t[(w >> 8) & 0xffu] << 8 | (uint32_t)t[(w >> 16) & 0xffu] << 16 |
          (uint32_t)t[w >> 24] << 24; /* little-endian on every target mnetc builds for */
      memcpy(uo, &w, 4);
    }
    for (; n > 0; n--) *uo++ = table[*ui++];
    return;
  }
  for (int32_t i = 0; i < p->size; i++) uo[i] = (uint8_t)rq_ref(p, ui[i]);
}
