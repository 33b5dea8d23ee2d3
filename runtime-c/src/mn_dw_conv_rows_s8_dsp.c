/* mn_dw_conv_rows_s8_dsp.c - consecutive output rows of an int8 depthwise convolution for Armv7E-M / Armv8-M
 * DSP (SMLAD), specialised for 3x3, depth multiplier 1, stride 1 or 2 (any padding, any stride_h / dil_h:
 * the caller's rows[] carry those), bit-exact with mn_dw_conv_row_s8 row by row. Contract: mn_kernels_opt.h
 * (rows[3 * r + ky] is input row ky of output row r, NULL outside the image; output rows are consecutive).
 * Weights in MN_FMT_DW3X3 when MN_DW3X3_APPLIES(p) (mn_kernels_opt.h); any other shape keeps the reference
 * weight order and runs the reference kernel.
 *
 * Method, per group of 4 channels and chunk of up to 56 output pixels (of several output rows at once when a
 * row fits one chunk, so per-channel set-up is shared by those rows):
 *  1. prepass (asm for interior columns): the three input rows (NULL rows and columns outside the image read
 *     as the input zero point, so that w * (x + in_offset) = 0 there) are sign-extended with SXTB16 and
 *     repacked with PKHBT/PKHTB into column records of int16 pairs, per channel j of the group
 *     H[c-1] = (row2[c-1], row2[c]) and V[c] = (row0[c], row1[c]) (record = H0..H3 V0..V3, stored with STRD);
 *  2. MAC pass (asm), per channel: acc = 2 * (bias + in_offset * sum(w)) + W0.V[j] + W1.V[j+1] + W2.V[j+2]
 *     + W3.H[j] + W4.H[j+1] with j = stride * ox: 5 SMLADs for the 9 taps (the weights are stored doubled,
 *     so acc is the doubled sum); at stride 1 a 6x-unrolled sliding window loads one V and one H per output;
 *     the sum goes back into a record word that is no longer needed;
 *  3. requant pass (asm): SMMLAR on the doubled sum as in mn_conv_1x1_s8_dsp, SSAT, STRB.
 * Layers whose sums or shifts do not fit that scheme (checked once per call) run the same prepass and MAC
 * pass in C with the exact reference requantization.
 * Without the DSP extension a portable C loop reads the same weight format.
 */
#include <stddef.h>
#include <string.h>
#include "mn_fixed.h"
#include "mn_kernels.h"
#include "mn_kernels_opt.h"

/* tap (ky, kx) of channel c in MN_FMT_DW3X3 */
static int32_t dw_tap(const int8_t *w, int32_t c, int32_t ky, int32_t kx) {
  const uint8_t *b = (const uint8_t *)w + 24 * c;
  int32_t word, lane;
  if (ky < 2) word = kx, lane = ky;
  else if (kx < 2) word = 3, lane = kx;
  else word = 4, lane = 1;
  const int32_t o = 4 * word + 2 * lane;
  return (int16_t)(uint16_t)(b[o] | (b[o + 1] << 8)) / 2;
}

static void dw_row_portable(const mn_dw_conv_params *p, const int8_t *const *rows, int8_t *out_row) {
  for (int32_t ox = 0; ox < p->out_w; ox++) {
    const int32_t ix0 = ox * p->stride_w - p->pad_left;
    int8_t *y = out_row + ox * p->out_c;
    for (int32_t c = 0; c < p->in_c; c++) {
      int32_t acc = 0;
      for (int32_t ky = 0; ky < 3; ky++) {
        const int8_t *row = rows[ky];
        if (row == NULL) continue;
        for (int32_t kx = 0; kx < 3; kx++) {
          const int32_t ix = ix0 + kx;
          if (ix < 0 || ix >= p->in_w) continue;
          acc += dw_tap(p->weights, c, ky, kx) * ((int32_t)row[ix * p->in_c + c] + p->in_offset);
        }
      }
      if (p->bias) acc += p->bias[c];
      acc = mn_requant(acc, p->mult[c], p->shift[c]) + p->out_offset;
      y[c] = (int8_t)mn_clamp(acc, p->act_min, p->act_max);
    }
  }
}

#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>

#define CHUNK 56                       /* output pixels per chunk (112-wide rows take two) */
#define MAX_COLS (2 * (CHUNK - 1) + 3) /* input columns of a chunk at stride 2 */
#define REC 8                          /* words per column record: (H[j-1], V[j]) of 4 channels */

MN_INLINE uint32_t sxtb16_r8(uint32_t x) {
  uint32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}
/* (lo = a.lo, hi = b.lo) */
MN_INLINE uint32_t pkhbt16(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(a), "r"(b));
  return r;
}
/* (lo = b.hi, hi = a.hi) */
MN_INLINE uint32_t pkhtb16(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(r) : "r"(a), "r"(b));
  return r;
}
/* k + round-half-up high word of a * m */
MN_INLINE int32_t smmlar(int32_t a, int32_t m, int32_t k) {
  int32_t r;
  __asm__("smmlar %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(m), "r"(k));
  return r;
}
MN_INLINE uint32_t ld4(const int8_t *p) {
  uint32_t u;
  memcpy(&u, p, 4);
  return u;
}
MN_INLINE void st2(uint32_t *p, uint32_t lo, uint32_t hi) {
  const uint64_t v = (uint64_t)hi << 32 | lo;
  memcpy(p, &v, 8);
}

enum { RQ_FAST = 0, RQ_GEN = 1, RQ_SLOW = 2 };

/* One column of the prepass: the rows' words a0..a2 (4 channels) -> column record `rec`:
 * rec[j] = H[r-1] = (row2[r-1], row2[r]) and rec[4 + j] = V[r] = (row0[r], row1[r]) of channel j. */
MN_INLINE void emit_col(uint32_t a0, uint32_t a1, uint32_t a2, uint32_t *e2p, uint32_t *o2p, uint32_t *rec) {
  const uint32_t e0 = __sxtb16(a0), o0 = sxtb16_r8(a0);
  const uint32_t e1 = __sxtb16(a1), o1 = sxtb16_r8(a1);
  const uint32_t e2 = __sxtb16(a2), o2 = sxtb16_r8(a2);
  st2(rec, pkhbt16(*e2p, e2), pkhbt16(*o2p, o2));
  st2(rec + 2, pkhtb16(e2, *e2p), pkhtb16(o2, *o2p));
  st2(rec + 4, pkhbt16(e0, e1), pkhbt16(o0, o1));
  st2(rec + 6, pkhtb16(e1, e0), pkhtb16(o1, o0));
  *e2p = e2;
  *o2p = o2;
}

/* The prepass over interior columns (all three rows present, 4 channels), in asm: per column 3 loads,
 * 6 SXTB16, 8 PKH, 4 STRD. Two columns per iteration alternate the registers carrying row 2's previous
 * column (r4/r5 and r7/r6), an odd count enters at the second column. */
typedef struct {
  const int8_t *p0, *p1, *p2; /* 0, 4, 8: the rows at the first column's 4 channels */
  int32_t C;                  /* 12: bytes per input pixel */
  uint32_t *rec;              /* 16 */
  int32_t ncols;              /* 20: >= 1 */
  uint32_t e2p, o2p;          /* 24, 28: row 2 of the previous column (SXTB16 even / odd lanes), updated */
} dw_pre_ctx;

#define PRE_COL(EP, OP, EN, ON, T0, T1)                                                                  \
  "ldr r8, [r2, r3]\n\t"                                                                                  \
  "sxtb16 " EN ", r8\n\t"                                                                                 \
  "sxtb16 " ON ", r8, ror #8\n\t"                                                                         \
  "pkhbt r9, " EP ", " EN ", lsl #16\n\t"                                                                 \
  "pkhbt r10, " OP ", " ON ", lsl #16\n\t"                                                                \
  "strd r9, r10, [lr]\n\t"                                                                                \
  "pkhtb r9, " EN ", " EP ", asr #16\n\t"                                                                 \
  "pkhtb r10, " ON ", " OP ", asr #16\n\t"                                                                \
  "strd r9, r10, [lr, #8]\n\t"                                                                            \
  "ldr r8, [r0, r3]\n\t"                                                                                  \
  "ldr r9, [r1, r3]\n\t"                                                                                  \
  "sxtb16 r10, r8\n\t"                                                                                    \
  "sxtb16 r8, r8, ror #8\n\t"                                                                             \
  "sxtb16 r11, r9\n\t"                                                                                    \
  "sxtb16 r9, r9, ror #8\n\t"                                                                             \
  "pkhtb " T0 ", r11, r10, asr #16\n\t"                                                                   \
  "pkhtb " T1 ", r9, r8, asr #16\n\t"                                                                     \
  "pkhbt r10, r10, r11, lsl #16\n\t"                                                                      \
  "pkhbt r8, r8, r9, lsl #16\n\t"                                                                         \
  "strd r10, r8, [lr, #16]\n\t"                                                                           \
  "strd " T0 ", " T1 ", [lr, #24]\n\t"                                                                    \
  "add lr, lr, #32\n\t"                                                                                   \
  "add r3, r3, r12\n\t"

__attribute__((naked, noinline)) static void prepass_interior(dw_pre_ctx *c __attribute__((unused))) {
  __asm__ volatile(
      "push {r4-r11, lr}\n\t"
      "ldr r12, [r0, #20]\n\t" /* ncols */
      "adds r12, r12, #1\n\t"
      "lsrs r12, r12, #1\n\t" /* iterations: (ncols + 1) / 2, C flag = ncols odd */
      "push {r0, r12}\n\t"
      "ldrd r4, r5, [r0, #24]\n\t"
      "ldr lr, [r0, #16]\n\t"
      "ldr r12, [r0, #12]\n\t"
      "ldr r3, [r0, #20]\n\t"
      "ldmia r0, {r0, r1, r2}\n\t"
      "tst r3, #1\n\t"
      "mov r3, #0\n\t"
      "beq 1f\n\t"
      "mov r7, r4\n\t"
      "mov r6, r5\n\t"
      "b 2f\n\t"
      "1:\n\t" PRE_COL("r4", "r5", "r7", "r6", "r4", "r5")
      "2:\n\t" PRE_COL("r7", "r6", "r4", "r5", "r7", "r6")
      "ldr r8, [sp, #4]\n\t"
      "subs r8, r8, #1\n\t"
      "str r8, [sp, #4]\n\t"
      "bne 1b\n\t"
      "pop {r0, r12}\n\t"
      "strd r4, r5, [r0, #24]\n\t"
      "str lr, [r0, #16]\n\t"
      "pop {r4-r11, pc}\n\t");
}

/* 4 channels starting at x, channels >= nc read as zp4's bytes */
MN_INLINE uint32_t ld_part(const int8_t *x, int32_t nc, uint32_t zp4) {
  if (nc >= 4) return ld4(x);
  uint32_t u = zp4;
  for (int32_t k = 0; k < nc; k++) u = (u & ~(0xffu << (8 * k))) | ((uint32_t)(uint8_t)x[k] << (8 * k));
  return u;
}

static void prepass(const int8_t *const *rows, int32_t C, int32_t c, int32_t nc, int32_t in_w, int32_t ix_first,
                    int32_t ncols, uint32_t zp4, uint32_t *buf) {
  uint32_t e2p = 0, o2p = 0;
  int32_t r = 0;
  const int32_t rlo = MN_MIN(ncols, MN_MAX(0, -ix_first));
  const int32_t rhi = MN_MAX(rlo, MN_MIN(ncols, in_w - ix_first));
  uint32_t *rec = buf;
  if (rlo == 1) {
    /* one padding column first (the usual 'same' padding): V = (zp, zp); its H word is never read */
    const uint32_t ez = __sxtb16(zp4);
    const uint32_t zz = pkhbt16(ez, ez);
    st2(rec + 4, zz, zz);
    st2(rec + 6, zz, zz);
    e2p = o2p = ez;
    r = 1, rec += REC;
  }
  for (; r < rlo; r++, rec += REC) emit_col(zp4, zp4, zp4, &e2p, &o2p, rec);
  const int8_t *r0 = rows[0], *r1 = rows[1], *r2 = rows[2];
  if (r < rhi) {
    const int32_t off = (ix_first + r) * C + c;
    if (nc >= 4 && r0 && r1 && r2) {
      dw_pre_ctx pc;
      pc.p0 = r0 + off, pc.p1 = r1 + off, pc.p2 = r2 + off, pc.C = C, pc.rec = rec, pc.ncols = rhi - r;
      pc.e2p = e2p, pc.o2p = o2p;
      prepass_interior(&pc);
      e2p = pc.e2p, o2p = pc.o2p, rec = pc.rec;
      r = rhi;
    } else {
      for (int32_t k = 0; r < rhi; r++, k += C, rec += REC) {
        const uint32_t a0 = r0 ? ld_part(r0 + off + k, nc, zp4) : zp4;
        const uint32_t a1 = r1 ? ld_part(r1 + off + k, nc, zp4) : zp4;
        const uint32_t a2 = r2 ? ld_part(r2 + off + k, nc, zp4) : zp4;
        emit_col(a0, a1, a2, &e2p, &o2p, rec);
      }
    }
  }
  if (r == ncols - 1) {
    /* one padding column last: H = (row2[r-1], zp), V = (zp, zp) */
    const uint32_t ez = __sxtb16(zp4);
    const uint32_t zz = pkhbt16(ez, ez);
    st2(rec, pkhbt16(e2p, ez), pkhbt16(o2p, ez));
    st2(rec + 2, pkhtb16(ez, e2p), pkhtb16(ez, o2p));
    st2(rec + 4, zz, zz);
    st2(rec + 6, zz, zz);
    return;
  }
  for (; r < ncols; r++, rec += REC) emit_col(zp4, zp4, zp4, &e2p, &o2p, rec);
}

/* MAC pass of one channel (q = its V word in record 0, its H word is q[-4]): acc = b2 + W.(V V V H H);
 * the sum of output ox goes to the channel's H word of record ox (consumed by then). */
#define DW_OUT(VA, VB, VC, HA, HB)                        \
  HB = q[-4], VC = q[0], q += REC;                        \
  acc = __smlad((int32_t)VA, (int32_t)w0, b2);            \
  acc = __smlad((int32_t)VB, (int32_t)w1, acc);           \
  acc = __smlad((int32_t)VC, (int32_t)w2, acc);           \
  acc = __smlad((int32_t)HA, (int32_t)w3, acc);           \
  acc = __smlad((int32_t)HB, (int32_t)w4, acc);           \
  q[-3 * REC - 4] = (uint32_t)acc;

MN_INLINE void mac_s1(uint32_t *q, const uint32_t *wf, int32_t nout, int32_t b2) {
  const uint32_t w0 = wf[0], w1 = wf[1], w2 = wf[2], w3 = wf[3], w4 = wf[4];
  uint32_t v0 = q[0], v1 = q[REC], v2, h0 = q[REC - 4], h1;
  int32_t acc;
  int32_t n = nout;
  q += 2 * REC;
  for (; n >= 6; n -= 6) {
    DW_OUT(v0, v1, v2, h0, h1)
    DW_OUT(v1, v2, v0, h1, h0)
    DW_OUT(v2, v0, v1, h0, h1)
    DW_OUT(v0, v1, v2, h1, h0)
    DW_OUT(v1, v2, v0, h0, h1)
    DW_OUT(v2, v0, v1, h1, h0)
  }
  for (; n > 0; n--) {
    DW_OUT(v0, v1, v2, h0, h1)
    v0 = v1, v1 = v2, h0 = h1;
  }
}

/* stride 2: output ox reads records 2ox (V), 2ox+1 and 2ox+2; its sum goes to the H word of record 2ox */
#define DW_OUT2(VA, VC)                                   \
  h0 = q[-4], v1 = q[0], h1 = q[REC - 4], VC = q[REC];    \
  q += 2 * REC;                                           \
  acc = __smlad((int32_t)VA, (int32_t)w0, b2);            \
  acc = __smlad((int32_t)v1, (int32_t)w1, acc);           \
  acc = __smlad((int32_t)VC, (int32_t)w2, acc);           \
  acc = __smlad((int32_t)h0, (int32_t)w3, acc);           \
  acc = __smlad((int32_t)h1, (int32_t)w4, acc);           \
  q[-3 * REC - 4] = (uint32_t)acc;

MN_INLINE void mac_s2(uint32_t *q, const uint32_t *wf, int32_t nout, int32_t b2) {
  const uint32_t w0 = wf[0], w1 = wf[1], w2 = wf[2], w3 = wf[3], w4 = wf[4];
  uint32_t va = q[0], vb, v1, h0, h1;
  int32_t acc;
  int32_t n = nout;
  q += REC;
  for (; n >= 2; n -= 2) {
    DW_OUT2(va, vb)
    DW_OUT2(vb, va)
  }
  if (n) {
    DW_OUT2(va, vb)
  }
}

/* requant pass of one channel: sums at q[0], q[s * REC], ...; outputs at y, y + C, ... */
MN_INLINE void rq_pass(const mn_dw_conv_params *p, int32_t ch, const uint32_t *q, int32_t qs, int32_t nout, int8_t *y,
                       int32_t C, int32_t b2, const int mode, const int clamp) {
  const int32_t sh = p->shift[ch], m = p->mult[ch];
  const int32_t lo = p->act_min, hi = p->act_max;
  if (mode == RQ_FAST) {
    /* v = SMMLAR(acc, m, k) - (acc < 0); see mn_conv_1x1_s8_dsp.c */
    const int32_t e = -sh;
    const int32_t k = (1 << (e - 1)) + (int32_t)((uint32_t)p->out_offset << e);
    int32_t i = 0;
    for (; i + 2 <= nout; i += 2, y += 2 * C, q += 2 * qs) {
      const int32_t a0 = (int32_t)q[0], a1 = (int32_t)q[qs];
      int32_t v0 = smmlar(a0, m, k), v1 = smmlar(a1, m, k);
      v0 = __ssat((v0 + (-(int32_t)((uint32_t)(a0) >> 31))) >> e, 8);
      v1 = __ssat((v1 + (-(int32_t)((uint32_t)(a1) >> 31))) >> e, 8);
      if (clamp) v0 = mn_clamp(v0, lo, hi), v1 = mn_clamp(v1, lo, hi);
      y[0] = (int8_t)v0;
      y[C] = (int8_t)v1;
    }
    if (i < nout) {
      const int32_t a0 = (int32_t)q[0];
      int32_t v0 = smmlar(a0, m, k);
      v0 = __ssat((v0 + (-(int32_t)((uint32_t)(a0) >> 31))) >> e, 8);
      if (clamp) v0 = mn_clamp(v0, lo, hi);
      y[0] = (int8_t)v0;
    }
  } else if (mode == RQ_GEN) {
    const int32_t left = sh > 0 ? sh : 0, e = sh > 0 ? 0 : -sh;
    const int32_t k = e > 0 ? 1 << (e - 1) : 0, sm = e > 0 ? -1 : 0;
    for (int32_t i = 0; i < nout; i++, y += C, q += qs) {
      int32_t v;
      __asm__("smmulr %0, %1, %2" : "=r"(v) : "r"((int32_t)((uint32_t)q[0] << left)), "r"(m));
      v += k + ((-(int32_t)((uint32_t)(v) >> 31)) & sm);
      *y = (int8_t)mn_clamp((v >> e) + p->out_offset, lo, hi);
    }
  } else {
    /* b2 is 0 here: the sums are 2 * sum w * x over the padded window */
    const int32_t bias = p->bias ? p->bias[ch] : 0;
    const int32_t sumw = (int32_t)((const uint32_t *)(const void *)p->weights)[6 * ch + 5];
    const int32_t b = (int32_t)((uint32_t)bias + (uint32_t)(p->in_offset * sumw));
    (void)b2;
    for (int32_t i = 0; i < nout; i++, y += C, q += qs) {
      const int32_t acc = (int32_t)((uint32_t)b + (uint32_t)((int32_t)q[0] >> 1));
      *y = (int8_t)mn_clamp(mn_requant(acc, m, sh) + p->out_offset, lo, hi);
    }
  }
}

/* FAST mode, one 4-channel group of a chunk, in asm: for each channel the MAC pass (sliding window; stride 1
 * is unrolled 6x with a Duff-style TBB entry, stride 2 2x) stores the sums into consumed record words, then the
 * requant pass (SMMLAR as in mn_conv_1x1_s8_dsp.c) writes the channel's outputs. Registers in the MAC pass:
 * r0 record pointer, r1 counter, r2 doubled bias, r3-r7 weight pairs, r8-r10 V window, r11 r12 H window, lr sum. */
typedef struct {
  uint32_t *buf;      /* 0: record 0 of the chunk */
  const uint32_t *wf; /* 4: format words of the group's first channel */
  int8_t *y;          /* 8: output of the chunk's first pixel, group's first channel */
  int32_t C;          /* 12: output pixel stride */
  int32_t nc;         /* 16: channels in the group */
  int32_t nout;       /* 20 */
  int32_t lo, hi;     /* 24, 28 */
  int32_t entry;      /* 32: stride 1: first of the 6 unrolled outputs; stride 2: 0 or 1 */
  int32_t iters;      /* 36: passes through the unrolled loop */
  int32_t cst[4][4];  /* 40: per channel b2, m, k, e */
  int32_t nrows;      /* 104: output rows; their records follow each other (ncols records per row) */
  int32_t gap;        /* 108: bytes from the last output's record of a row to the next row's first */
} dw_grp_ctx;

#define S_(x) #x
#define XS_(x) S_(x)
#define DWO(VA, VB, VC, HA, HB)                                                                              \
  "ldr " HB ", [r0, #-16]\n\t"                                                                               \
  "ldr " VC ", [r0], #32\n\t"                                                                                \
  "smlad lr, " VA ", r3, r2\n\t"                                                                             \
  "smlad lr, " VB ", r4, lr\n\t"                                                                             \
  "smlad lr, " VC ", r5, lr\n\t"                                                                             \
  "smlad lr, " HA ", r6, lr\n\t"                                                                             \
  "smlad lr, " HB ", r7, lr\n\t"                                                                             \
  "str lr, [r0, #-112]\n\t"
#define DWO2(VA, VC)                                                                                         \
  "ldr r11, [r0, #-16]\n\t"                                                                                  \
  "ldr r9, [r0], #32\n\t"                                                                                    \
  "ldr r12, [r0, #-16]\n\t"                                                                                  \
  "ldr " VC ", [r0], #32\n\t"                                                                                \
  "smlad lr, " VA ", r3, r2\n\t"                                                                             \
  "smlad lr, r9, r4, lr\n\t"                                                                                 \
  "smlad lr, " VC ", r5, lr\n\t"                                                                             \
  "smlad lr, r11, r6, lr\n\t"                                                                                \
  "smlad lr, r12, r7, lr\n\t"                                                                                \
  "str lr, [r0, #-112]\n\t"
#define DW_STUB(VA, VB, HA, L)                                                                               \
  "ldr " VA ", [r0]\n\t"                                                                                     \
  "ldr " VB ", [r0, #32]\n\t"                                                                                \
  "ldr " HA ", [r0, #16]\n\t"                                                                                \
  "add r0, r0, #64\n\t"                                                                                      \
  "b " L "\n\t"
#define DW_ACT "cmp lr, r10\n\tit lt\n\tmovlt lr, r10\n\tcmp lr, r11\n\tit gt\n\tmovgt lr, r11\n\t"
/* per channel: stack [sp] = ctx, [sp, #4] = j, [sp, #8] = rows left in the MAC pass */
#define DW_CH_HEAD                                                                                           \
  "ldr r0, [sp]\n\t"                                                                                         \
  "ldr r1, [sp, #4]\n\t"                                                                                     \
  "ldr r2, [r0, #4]\n\t"                                                                                     \
  "add r3, r1, r1, lsl #1\n\t"                                                                               \
  "add r2, r2, r3, lsl #3\n\t"                                                                               \
  "ldmia r2, {r3-r7}\n\t"                                                                                    \
  "add r8, r0, r1, lsl #4\n\t"                                                                               \
  "ldr r2, [r8, #40]\n\t"                                                                                    \
  "ldr r12, [r0, #32]\n\t"                                                                                   \
  "ldr r9, [r0, #104]\n\t"                                                                                   \
  "str r9, [sp, #8]\n\t"                                                                                     \
  "ldr r8, [r0, #0]\n\t"                                                                                     \
  "add r8, r8, r1, lsl #2\n\t"                                                                               \
  "ldr r1, [r0, #36]\n\t"                                                                                    \
  "add r0, r8, #16\n\t"
/* requant pass of channel j; RS = record stride of the outputs in bytes */
#define DW_RQ(RS, ACT)                                                                                       \
  "ldr r0, [sp]\n\t"                                                                                         \
  "ldr r1, [sp, #4]\n\t"                                                                                     \
  "add r8, r0, r1, lsl #4\n\t"                                                                               \
  "add r8, r8, #44\n\t"                                                                                      \
  "ldmia r8, {r3, r4, r5}\n\t"                                                                               \
  "ldr r6, [r0, #0]\n\t"                                                                                     \
  "add r6, r6, r1, lsl #2\n\t"                                                                               \
  "ldr r7, [r0, #8]\n\t"                                                                                     \
  "add r7, r7, r1\n\t"                                                                                       \
  "ldr r8, [r0, #12]\n\t"                                                                                    \
  "ldrd r10, r11, [r0, #24]\n\t"                                                                             \
  "ldr r1, [r0, #104]\n\t"                                                                                   \
  "ldr r2, [r0, #108]\n\t"                                                                                   \
  "31:\n\t"                                                                                                  \
  "ldr r9, [r0, #20]\n\t"                                                                                    \
  "30:\n\t"                                                                                                  \
  "ldr r12, [r6], #" RS "\n\t"                                                                               \
  "smmlar lr, r12, r3, r4\n\t"                                                                               \
  "add lr, lr, r12, asr #31\n\t"                                                                             \
  "asr lr, lr, r5\n\t"                                                                                       \
  "ssat lr, #8, lr\n\t" ACT                                                                                  \
  "strb lr, [r7]\n\t"                                                                                        \
  "add r7, r7, r8\n\t"                                                                                       \
  "subs r9, r9, #1\n\t"                                                                                      \
  "bne 30b\n\t"                                                                                              \
  "add r6, r6, r2\n\t"                                                                                       \
  "subs r1, r1, #1\n\t"                                                                                      \
  "bne 31b\n\t"                                                                                              \
  "ldr r0, [sp]\n\t"                                                                                         \
  "ldr r1, [sp, #4]\n\t"                                                                                     \
  "ldr r2, [r0, #16]\n\t"                                                                                    \
  "adds r1, r1, #1\n\t"                                                                                      \
  "str r1, [sp, #4]\n\t"                                                                                     \
  "cmp r1, r2\n\t"

#define DW_ROW_END                                                                                           \
  "ldr r9, [sp, #8]\n\t"                                                                                     \
  "subs r9, r9, #1\n\t"                                                                                      \
  "str r9, [sp, #8]\n\t"                                                                                     \
  "beq 41f\n\t"                                                                                              \
  "ldr r12, [sp]\n\t"                                                                                        \
  "ldr r1, [r12, #36]\n\t"                                                                                   \
  "ldr r12, [r12, #32]\n\t"                                                                                  \
  "b 40b\n\t"                                                                                                \
  "41:\n\t"

#define DW_GROUP_S1(ACT)                                                                                     \
  "push {r4-r11, lr}\n\t"                                                                                    \
  "movs r1, #0\n\t"                                                                                          \
  "push {r0, r1, r2, r3}\n\t"                                                                                \
  "1:\n\t" DW_CH_HEAD                                                                                        \
  "40:\n\t"                                                                                                  \
  "tbb [pc, r12]\n\t"                                                                                        \
  "2:\n\t"                                                                                                   \
  ".byte (20f - 2b) / 2, (21f - 2b) / 2, (22f - 2b) / 2, (23f - 2b) / 2, (24f - 2b) / 2, (25f - 2b) / 2\n\t" \
  ".p2align 1\n\t"                                                                                           \
  "20:\n\t" DW_STUB("r8", "r9", "r11", "10f")                                                                \
  "21:\n\t" DW_STUB("r9", "r10", "r12", "11f")                                                               \
  "22:\n\t" DW_STUB("r10", "r8", "r11", "12f")                                                               \
  "23:\n\t" DW_STUB("r8", "r9", "r12", "13f")                                                                \
  "24:\n\t" DW_STUB("r9", "r10", "r11", "14f")                                                               \
  "25:\n\t" DW_STUB("r10", "r8", "r12", "15f")                                                               \
  "10:\n\t" DWO("r8", "r9", "r10", "r11", "r12")                                                             \
  "11:\n\t" DWO("r9", "r10", "r8", "r12", "r11")                                                             \
  "12:\n\t" DWO("r10", "r8", "r9", "r11", "r12")                                                             \
  "13:\n\t" DWO("r8", "r9", "r10", "r12", "r11")                                                             \
  "14:\n\t" DWO("r9", "r10", "r8", "r11", "r12")                                                             \
  "15:\n\t" DWO("r10", "r8", "r9", "r12", "r11")                                                             \
  "subs r1, r1, #1\n\t"                                                                                      \
  "bne 10b\n\t" DW_ROW_END DW_RQ("32", ACT)                                                                  \
  "blt 1b\n\t"                                                                                               \
  "add sp, sp, #16\n\t"                                                                                      \
  "pop {r4-r11, pc}\n\t"

#define DW_GROUP_S2(ACT)                                                                                     \
  "push {r4-r11, lr}\n\t"                                                                                    \
  "movs r1, #0\n\t"                                                                                          \
  "push {r0, r1, r2, r3}\n\t"                                                                                \
  "1:\n\t" DW_CH_HEAD                                                                                        \
  "40:\n\t"                                                                                                  \
  "cmp r12, #0\n\t"                                                                                          \
  "bne 21f\n\t"                                                                                              \
  "ldr r8, [r0]\n\t"                                                                                         \
  "add r0, r0, #32\n\t"                                                                                      \
  "b 10f\n\t"                                                                                                \
  "21:\n\t"                                                                                                  \
  "ldr r10, [r0]\n\t"                                                                                        \
  "add r0, r0, #32\n\t"                                                                                      \
  "b 11f\n\t"                                                                                                \
  "10:\n\t" DWO2("r8", "r10")                                                                                \
  "11:\n\t" DWO2("r10", "r8")                                                                                \
  "subs r1, r1, #1\n\t"                                                                                      \
  "bne 10b\n\t" DW_ROW_END DW_RQ("64", ACT)                                                                  \
  "blt 1b\n\t"                                                                                               \
  "add sp, sp, #16\n\t"                                                                                      \
  "pop {r4-r11, pc}\n\t"

__attribute__((naked, noinline)) static void dw_group_s1(const dw_grp_ctx *g __attribute__((unused))) {
  __asm__ volatile(DW_GROUP_S1(""));
}
__attribute__((naked, noinline)) static void dw_group_s1_act(const dw_grp_ctx *g __attribute__((unused))) {
  __asm__ volatile(DW_GROUP_S1(DW_ACT));
}
__attribute__((naked, noinline)) static void dw_group_s2(const dw_grp_ctx *g __attribute__((unused))) {
  __asm__ volatile(DW_GROUP_S2(""));
}
__attribute__((naked, noinline)) static void dw_group_s2_act(const dw_grp_ctx *g __attribute__((unused))) {
  __asm__ volatile(DW_GROUP_S2(DW_ACT));
}

static void group_fast(const mn_dw_conv_params *p, uint32_t *buf, int32_t c, int32_t nc, int32_t nout, int8_t *y, int clamp,
                       int32_t nrows) {
  dw_grp_ctx g;
  const int32_t in_off = p->in_offset, out_off = p->out_offset;
  const uint32_t *wf = (const uint32_t *)(const void *)(p->weights + 24 * c);
  for (int32_t j = 0; j < nc; j++) {
    const int32_t e = -p->shift[c + j];
    g.cst[j][0] = 2 * ((p->bias ? p->bias[c + j] : 0) + in_off * (int32_t)wf[6 * j + 5]);
    g.cst[j][1] = p->mult[c + j];
    g.cst[j][2] = (1 << (e - 1)) + (int32_t)((uint32_t)out_off << e);
    g.cst[j][3] = e;
  }
  g.buf = buf, g.wf = wf, g.y = y, g.C = p->in_c, g.nc = nc, g.nout = nout, g.lo = p->act_min, g.hi = p->act_max;
  g.nrows = nrows, g.gap = p->stride_w == 1 ? 2 * REC * 4 : REC * 4;
  if (p->stride_w == 1) {
    g.entry = (6 - nout % 6) % 6, g.iters = (nout + 5) / 6;
    if (clamp) dw_group_s1_act(&g);
    else dw_group_s1(&g);
  } else {
    g.entry = nout & 1, g.iters = (nout + 1) / 2;
    if (clamp) dw_group_s2_act(&g);
    else dw_group_s2(&g);
  }
}

MN_INLINE void run_row(const mn_dw_conv_params *p, const int8_t *const *rows, int8_t *out_row, uint32_t *buf, const int mode,
                       const int clamp) {
  const int32_t C = p->in_c, s = p->stride_w;
  const uint32_t zp4 = (uint32_t)(uint8_t)(int8_t)(-p->in_offset) * 0x01010101u;
  for (int32_t ox0 = 0; ox0 < p->out_w; ox0 += CHUNK) {
    const int32_t nout = MN_MIN(CHUNK, p->out_w - ox0);
    const int32_t ncols = s * (nout - 1) + 3;
    const int32_t ix_first = ox0 * s - p->pad_left;
    for (int32_t c = 0; c < C; c += 4) {
      const int32_t nc = MN_MIN(4, C - c);
      prepass(rows, C, c, nc, p->in_w, ix_first, ncols, zp4, buf);
      if (mode == RQ_FAST) {
        group_fast(p, buf, c, nc, nout, out_row + ox0 * C + c, clamp, 1);
        continue;
      }
      for (int32_t j = 0; j < nc; j++) {
        const int32_t ch = c + j;
        const uint32_t *wf = (const uint32_t *)(const void *)(p->weights + 24 * ch);
        int32_t b2 = 0;
        if (mode != RQ_SLOW) b2 = 2 * ((p->bias ? p->bias[ch] : 0) + p->in_offset * (int32_t)wf[5]);
        if (s == 1) mac_s1(buf + 4 + j, wf, nout, b2);
        else mac_s2(buf + 4 + j, wf, nout, b2);
        rq_pass(p, ch, buf + j, s * REC, nout, out_row + ox0 * C + ch, C, b2, mode, clamp);
      }
    }
  }
}

/* FAST mode, rows that fit one chunk: the records of several output rows at once, so the per-channel work
 * (weights, constants, loop set-up) is shared by those rows */
static void run_rows_fast(const mn_dw_conv_params *p, const int8_t *const *rows, int32_t nrows, int8_t *out, uint32_t *buf,
                          int32_t bufw, int clamp) {
  const int32_t C = p->in_c, s = p->stride_w, nout = p->out_w;
  const int32_t ncols = s * (nout - 1) + 3;
  const int32_t per = MN_MAX(1, bufw / (ncols * REC));
  const uint32_t zp4 = (uint32_t)(uint8_t)(int8_t)(-p->in_offset) * 0x01010101u;
  const int32_t ix_first = -p->pad_left;
  for (int32_t r0 = 0; r0 < nrows; r0 += per) {
    const int32_t nr = MN_MIN(per, nrows - r0);
    int8_t *y = out + r0 * nout * C;
    for (int32_t c = 0; c < C; c += 4) {
      const int32_t nc = MN_MIN(4, C - c);
      for (int32_t r = 0; r < nr; r++) prepass(rows + 3 * (r0 + r), C, c, nc, p->in_w, ix_first, ncols, zp4, buf + r * ncols * REC);
      group_fast(p, buf, c, nc, nout, y + c, clamp, nr);
    }
  }
}

void mn_dw_conv_rows_s8_dsp(const mn_dw_conv_params *p, const int8_t *const *rows, int32_t nrows, int8_t *out) {
  const int32_t row_out = p->out_w * p->out_c;
  if (!MN_DW3X3_APPLIES(p)) {
    for (int32_t r = 0; r < nrows; r++) mn_dw_conv_row_s8(p, rows + p->k_h * r, out + r * row_out);
    return;
  }
  if ((((uintptr_t)p->weights) & 3) != 0 || p->in_offset < -127 || p->in_offset > 128) {
    for (int32_t r = 0; r < nrows; r++) dw_row_portable(p, rows + 3 * r, out + r * row_out);
    return;
  }
  /* |bias + sum_valid w * (x + in_offset)| <= |bias| + 9 * 128 * 255; FAST/GEN/SLOW as in mn_conv_1x1_s8_dsp */
  int mode = RQ_FAST;
  for (int32_t c = 0; c < p->out_c; c++) {
    const int32_t sh = p->shift[c];
    const int32_t left = sh > 0 ? sh : 0;
    const int64_t b = p->bias ? p->bias[c] : 0;
    const int64_t bound = (b < 0 ? -b : b) + 9 * 32640;
    if (left > 30 || sh < -30 || bound >= ((int64_t)1 << (30 - left))) {
      mode = RQ_SLOW;
      break;
    }
    if (sh > -1 || sh < -22 || p->mult[c] < 0) mode = RQ_GEN;
  }
  uint32_t buf[REC * MAX_COLS];
  const int clamp = p->act_min > -128 || p->act_max < 127;
  if (mode == RQ_FAST && p->out_w <= CHUNK) {
    run_rows_fast(p, rows, nrows, out, buf, REC * MAX_COLS, clamp);
    return;
  }
  for (int32_t r = 0; r < nrows; r++) {
    const int8_t *const *rw = rows + 3 * r;
    int8_t *o = out + r * row_out;
    if (mode == RQ_FAST) {
      if (clamp) run_row(p, rw, o, buf, RQ_FAST, 1);
      else run_row(p, rw, o, buf, RQ_FAST, 0);
    } else if (mode == RQ_GEN) {
      run_row(p, rw, o, buf, RQ_GEN, 1);
    } else {
      run_row(p, rw, o, buf, RQ_SLOW, 1);
    }
  }
}

#else /* !__ARM_FEATURE_DSP */

void mn_dw_conv_rows_s8_dsp(const mn_dw_conv_params *p, const int8_t *const *rows, int32_t nrows, int8_t *out) {
  for (int32_t r = 0; r < nrows; r++) {
    if (!MN_DW3X3_APPLIES(p)) mn_dw_conv_row_s8(p, rows + p->k_h * r, out + r * p->out_w * p->out_c);
    else dw_row_portable(p, rows + 3 * r, out + r * p->out_w * p->out_c);
  }
}

#endif
