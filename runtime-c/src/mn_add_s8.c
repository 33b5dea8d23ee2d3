/* mn_add_s8.c - TFLM int8 ADD with optional 4-D broadcast. Contract: mn_kernels.h.
 *
 * Without tables (in1_table == NULL) every element runs TFLM's arithmetic (add_one). With the compile-time
 * tables the two input rescalings become one load each, and the output rescaling takes the fast form below
 * when its parameters allow it (else TFLM's arithmetic on the exact sum).
 *
 * Why the table path is exact.
 *  (1) t1[(uint8_t)a] + t2[(uint8_t)b] = 2 * sa + 2 * sb = 2 * raw_sum, with sa, sb TFLM's rescaled inputs
 *      (mnetc fills the tables with its own port of the same gemmlowp functions). |entry| <= 2^29, so
 *      |s2| <= 2^30: no overflow, and raw_sum = s2 / 2 exactly (s2 is even).
 *  (2) SRDHM(raw_sum, M) == floor((s2 * M + 2^31) / 2^32) (what SMMULR / SMMLAR compute, and what the
 *      portable code computes in 64 bits), for M >= 0: with P = raw_sum * M, SRDHM is
 *      trunc((P + 2^30) / 2^31) for P >= 0, which is floor(P / 2^31 + 1/2); for P < 0 it is
 *      trunc((P + 1 - 2^30) / 2^31) = -floor((-P + 2^30 - 1) / 2^31) = -ceil((-P - 2^30) / 2^31)
 *      = floor((P + 2^30) / 2^31), the same expression. (The INT32_MIN * INT32_MIN case cannot occur.)
 *  (3) RoundingDivideByPOT(v, e) = floor((v + 2^(e-1) - [v < 0]) / 2^e) for e >= 1 (remainder test of
 *      gemmlowp rewritten), and adding out_offset * 2^e inside the floor adds out_offset. [v < 0] may be
 *      replaced by [s2 < 0]: v has the sign of s2 or is 0 (M >= 0), and for v == 0 both give 0.
 *  (4) No intermediate overflows: |v| <= |raw_sum| <= 2^29 and, for 1 <= e <= 22 and |out_offset| <= 128,
 *      |v + 2^(e-1) + out_offset * 2^e - 1| < 2^29 + 2^21 + 2^29 + 1 < 2^31. The result saturated to
 *      int8 (SSAT) and then clamped to [act_min, act_max] (a sub-range of int8) equals TFLM's clamp.
 */
#include <stddef.h>
#include "mn_fixed.h"
#include "mn_kernels.h"

static int8_t add_one(const mn_add_params *p, int32_t a, int32_t b) {
  const int32_t sa = mn_requant_lt1(mn_shl(a + p->in1_offset, p->left_shift), p->in1_mult, p->in1_shift);
  const int32_t sb = mn_requant_lt1(mn_shl(b + p->in2_offset, p->left_shift), p->in2_mult, p->in2_shift);
  const int32_t raw = mn_requant_lt1(sa + sb, p->out_mult, p->out_shift) + p->out_offset;
  return (int8_t)mn_clamp(raw, p->act_min, p->act_max);
}

/* TFLM's output stage on the doubled exact sum s2 (any parameters) */
MN_INLINE int8_t add_out_ref(const mn_add_params *p, int32_t s2) {
  const int32_t raw = mn_requant_lt1(s2 / 2, p->out_mult, p->out_shift) + p->out_offset;
  return (int8_t)mn_clamp(raw, p->act_min, p->act_max);
}

#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
/* floor((a * b + 2^31) / 2^32) + acc */
#define add_mulhi mn_smmlar
#define ADD_SAT8(v) __ssat((v), 8)
#else
MN_INLINE int32_t add_mulhi(int32_t a, int32_t b, int32_t acc) {
  return (int32_t)(((int64_t)a * b + ((int64_t)1 << 31)) >> 32) + acc;
}
#define ADD_SAT8(v) mn_clamp((v), -128, 127)
#endif

/* the fast output stage, (2)-(4) above; k = 2^(e-1) + out_offset * 2^e */
MN_INLINE int32_t add_out_fast(int32_t s2, int32_t m, int32_t k, int e) {
  const int32_t v = add_mulhi(s2, m, k) - (int32_t)((uint32_t)s2 >> 31); /* -1 when s2 < 0 */
  return v >> e;
}

#define ADD_ONE_FAST(i)                                                                                          \
  do {                                                                                                         \
    const int32_t s_ = t1[a[i]] + t2[b[i]];                                                                    \
    int32_t y_ = ADD_SAT8(add_out_fast(s_, m, k, e));                                                          \
    if (!full) y_ = mn_clamp(y_, lo, hi);                                                                      \
    out[i] = (int8_t)y_;                                                                                       \
  } while (0)

MN_INLINE void add_tables_fast(const mn_add_params *p, const int8_t *in1, const int8_t *in2, int8_t *out, const int full) {
  const int32_t *t1 = p->in1_table, *t2 = p->in2_table;
  const int32_t m = p->out_mult, e = -p->out_shift;
  const int32_t k = (int32_t)((1u << (e - 1)) + ((uint32_t)p->out_offset << e));
  const int32_t lo = p->act_min, hi = p->act_max;
  const uint8_t *a = (const uint8_t *)in1, *b = (const uint8_t *)in2;
  const uint8_t *const a_end4 = a + (p->size & ~3), *const a_end = a + p->size;
  while (a != a_end4) {
    ADD_ONE_FAST(0);
    ADD_ONE_FAST(1);
    ADD_ONE_FAST(2);
    ADD_ONE_FAST(3);
    a += 4, b += 4, out += 4;
  }
  while (a != a_end) {
    ADD_ONE_FAST(0);
    a++, b++, out++;
  }
}

void mn_add_s8(const mn_add_params *p, const int8_t *in1, const int8_t *in2, int8_t *out) {
  const int32_t *t1 = p->in1_table, *t2 = p->in2_table;
  const int tables = t1 != NULL && t2 != NULL;
  if (!p->broadcast) {
    if (!tables) {
      for (int32_t i = 0; i < p->size; i++) out[i] = add_one(p, in1[i], in2[i]);
      return;
    }
    const int32_t e = -p->out_shift;
    if (e >= 1 && e <= 22 && p->out_mult >= 0 && p->out_offset >= -128 && p->out_offset <= 128) {
      if (p->act_min <= -128 && p->act_max >= 127) add_tables_fast(p, in1, in2, out, 1);
      else add_tables_fast(p, in1, in2, out, 0);
      return;
    }
    const uint8_t *a = (const uint8_t *)in1, *b = (const uint8_t *)in2;
    for (int32_t i = 0; i < p->size; i++) out[i] = add_out_ref(p, t1[a[i]] + t2[b[i]]);
    return;
  }
  const mn_broadcast4 *s = &p->shape;
  int32_t o = 0;
  for (int32_t i0 = 0; i0 < s->dims[0]; i0++)
    for (int32_t i1 = 0; i1 < s->dims[1]; i1++)
      for (int32_t i2 = 0; i2 < s->dims[2]; i2++)
        for (int32_t i3 = 0; i3 < s->dims[3]; i3++) {
          const int32_t a = in1[i0 * s->in1_strides[0] + i1 * s->in1_strides[1] + i2 * s->in1_strides[2] + i3 * s->in1_strides[3]];
          const int32_t b = in2[i0 * s->in2_strides[0] + i1 * s->in2_strides[1] + i2 * s->in2_strides[2] + i3 * s->in2_strides[3]];
          out[o++] = tables ? add_out_ref(p, t1[(uint8_t)a] + t2[(uint8_t)b]) : add_one(p, a, b);
        }
}
