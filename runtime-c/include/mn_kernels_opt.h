/*
 * mn_kernels_opt.h - per-architecture kernel variants: prototypes, weight formats, shared inline helpers.
 *
 * Every variant takes the same parameter struct as its reference kernel (mn_kernels.h) and produces
 * bit-identical output. Some variants read `weights` in their own layout (a "format"), produced at compile
 * time by src/codegen/variants.ts; the format is a pure function of the kernel and the layer's shape, so a
 * layer call and a row-streamed call of the same layer read the same bytes. Formats are documented below
 * and in each variant's file; each variant also contains a portable C path that reads its format, so
 * every file compiles and runs (slowly) on any target (the DSP/MVE code is guarded by
 * __ARM_FEATURE_DSP / __ARM_FEATURE_MVE).
 *
 * Weight arrays in a variant format must be 4-byte aligned (mnetc emits them 16-byte aligned).
 *
 * Variant                  reference kernel     weights
 * mn_conv_1x1_s8_dsp       mn_conv_1x1_s8       MN_FMT_1X1_PAIR4  (always)
 * mn_conv_1x1_s8_mve       mn_conv_1x1_s8       reference order
 * mn_conv_1x1_s8_rv32      mn_conv_1x1_s8       MN_FMT_1X1_QUAD   (always)
 * mn_conv_row_s8_dsp       mn_conv_row_s8       MN_FMT_CONV_PAIR  when groups == 1 and k_h*k_w*in_c <= 256
 * mn_conv_s8_dsp           mn_conv_s8           as mn_conv_row_s8_dsp
 * mn_dw_conv_row_s8_dsp    mn_dw_conv_row_s8    MN_FMT_DW_CV      when dil_w == 1, k_h, k_w <= 7,
 * mn_dw_conv_s8_dsp        mn_dw_conv_s8                          depth_mult 1 or a multiple of 4
 * (mn_dw_conv_rows_s8_dsp: the multi-row kernel both call; same formats; its asm for small stride-2 maps is
 * in mn_dw_conv_cp_s8_dsp.c)
 * Outside those conditions the weights stay in reference order and the variant calls the reference.
 * Exception: mn_conv_row_s8_dsp / mn_conv_s8_dsp layers with groups == 1, in_c == 3, k_h == k_w == 3,
 * dil_w == 1 (the RGB stems) use MN_FMT_STEM3 instead of MN_FMT_CONV_PAIR (documented in
 * mn_conv_row_s8_dsp.c and src/codegen/variants.ts formatStem3: doubled int16 tap pairs + per-channel sums),
 * and those with in_c == 1, k_h == k_w == 3, dil_w == 1, stride_w <= 2, out_c a multiple of 4
 * (MN_STEM1_APPLIES: grey-scale stems, such as person_detect's depthwise layer with depth multiplier 8, which
 * mnetc turns into a convolution) use MN_FMT_STEM1: the MN_FMT_DW_CV bytes of the same layer written as a
 * depthwise convolution with depth multiplier out_c; mn_conv_row_s8_dsp then runs it with the depthwise kernel.
 *
 * MN_FMT_1X1_PAIR4: out_c padded to even (OCp), in_c padded to a multiple of 4 (Cp), pads are 0. For each
 *   output-channel pair (a = 2p, b = 2p + 1) and input-channel quad q, 8 bytes:
 *     a[4q] b[4q] a[4q+2] b[4q+2]   a[4q+1] b[4q+1] a[4q+3] b[4q+3]
 *   (SXTB16 of the first word gives a's channels 4q and 4q+2, SXTB16 ROR 8 gives b's). OCp * Cp bytes.
 * MN_FMT_1X1_QUAD: out_c padded to a multiple of 4 (OCq), pads 0. For each group g of 4 output channels and
 *   each input channel c, 4 bytes w[4g][c] w[4g+1][c] w[4g+2][c] w[4g+3][c]. OCq * in_c bytes.
 * MN_FMT_CONV_PAIR: K = k_h * k_w * in_c in the reference order (ky, kx, ic), padded to even (Kp);
 *   out_c padded to even; for each output-channel pair (a, b) and k-pair s, 4 bytes a[2s] b[2s] a[2s+1] b[2s+1].
 *   OCp * Kp bytes.
 * MN_FMT_DW_CV: K = k_h * k_w taps t = ky * k_w + kx; output channels in groups g of 4 (out_c padded to a
 *   multiple of 4 with zero weights). Per group, 8 * K + 16 bytes: for each tap two words of doubled int16
 *   weights (low half first) (2w[t][4g], 2w[t][4g+2]) (2w[t][4g+1], 2w[t][4g+3]) (the SXTB16 / SXTB16 ROR 8
 *   lanes of the group's input word), then 4 int32 words: sum over the K taps of w[t][4g+j], j = 0..3.
 * MN_FMT_DW_D3P (3x3 layers of MN_FMT_DW_CV with mn_dw_conv_params.prepared = 1; the compiler uses it for
 *   streamed layers, which call the kernel once per row): per group MN_DW_D3P_GROUP_BYTES = 160 bytes: the 18
 *   weight words of MN_FMT_DW_CV, then the requantization head the kernel would otherwise compute per call:
 *   rq[4][3] = (m, k, e) per channel (e = -shift, k = 2^(e-1) + out_offset * 2^e, or 2^(e-1) alone when a
 *   shift of the group is below -22; (0, 0, 1) for a channel the asm cannot do exactly), b2[8] = the doubled
 *   folded bias 2 * (bias + in_offset * sum of the 9 taps) twice, a flags word (bit j: channel j runs the
 *   exact C code; bit 4: a shift below -22) and a zero word.
 */
#ifndef MN_KERNELS_OPT_H
#define MN_KERNELS_OPT_H

#include <stdint.h>
#include "mn_kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

void mn_conv_1x1_s8_dsp(const mn_conv_1x1_params *p, const int8_t *in, int8_t *out);
void mn_conv_1x1_s8_mve(const mn_conv_1x1_params *p, const int8_t *in, int8_t *out);
void mn_conv_1x1_s8_rv32(const mn_conv_1x1_params *p, const int8_t *in, int8_t *out);
void mn_conv_row_s8_dsp(const mn_conv_params *p, const int8_t *const *rows, int8_t *out_row);
void mn_conv_s8_dsp(const mn_conv_params *p, const int8_t *in, int8_t *out);
void mn_dw_conv_row_s8_dsp(const mn_dw_conv_params *p, const int8_t *const *rows, int8_t *out_row);
void mn_dw_conv_s8_dsp(const mn_dw_conv_params *p, const int8_t *in, int8_t *out);
/* nrows consecutive output rows of a depthwise convolution (shapes outside MN_DWCV_APPLIES: the reference row
 * by row): rows[k_h * r + ky] is the input row read with filter row ky by output row r (NULL outside the
 * image), out the first output row; weights in MN_FMT_DW_CV (or MN_FMT_DW_D3P).
 * Sharing per-channel work between rows makes narrow layers (6x6, 3x3) much cheaper than nrows single-row calls. */
void mn_dw_conv_rows_s8_dsp(const mn_dw_conv_params *p, const int8_t *const *rows, int32_t nrows, int8_t *out);

/* Internal to mn_dw_conv_rows_s8_dsp (Armv7E-M DSP only; mn_dw_conv_cp_s8_dsp.c): channel planes for 3x3
 * stride-2 maps of 3 x 3 output pixels. Plane j (channel j of a group of 4) starts at planes +
 * MN_DWCP_PLANE_BYTES * j and has 7 rows of 8 int16 (16 bytes); the 52 bytes below each plane hold the asm's
 * record of that channel (so `planes` needs 52 writable bytes below it). */
#define MN_DWCP_PLANE_BYTES 256
typedef struct {
  const uint32_t *wg;        /* 0: group 0's 18 MN_FMT_DW_CV weight words */
  const uint32_t *hp;        /* 4: its head: rq[4][3] then b2[4] (d3_setup_c's) */
  int8_t *y;                 /* 8: output pixel 0, channel 0 of the group */
  int32_t C;                 /* 12: output pixel stride */
  uint32_t *planes;          /* 16: the 4 planes */
  const int8_t *const *src;  /* 20: sources of the plane rows inside the image (none NULL) */
  int32_t nrows;             /* 24: their number */
  int32_t IC;                /* 28: bytes per input column */
  int32_t off;               /* 32: added to each source: the group's channel + the first pair's column * IC */
  int32_t np;                /* 36: full pairs per row: 2 or 3 */
  uint32_t *gdst;            /* 40: plane 0's word of the first pair in the first of those rows */
  int32_t ngroups;           /* 44: groups in this call */
  int32_t stride;            /* 48: bytes from a group's weights (and head) to the next group's */
  int32_t oo;                /* 52: out_offset (added after the shift by groups whose flags have bit 4) */
} mn_dwcp_args;
/* ngroups groups of 4 channels: per group, gathers the np full pairs of the nrows rows into the planes (word
 * q of plane j = the int16 lanes (x[2q], x[2q + 1]) of channel j; other words are left as they are), then
 * (the head's word 20 holding MN_FMT_DW_D3P's flags) writes the 9 output pixels of the 4 channels, SSAT-clamped (no activation clamp, no exact-channel fix-up:
 * the caller does those). Advances wg, hp, y and off past the groups it did. */
void mn_dwcp_run(mn_dwcp_args *a);

/* Does this shape use MN_FMT_CONV_PAIR / MN_FMT_STEM1 / MN_FMT_DW_CV (TypeScript twins: src/codegen/variants.ts)? */
#define MN_CONV_PAIR_MAX_K 256
#define MN_CONV_PAIR_APPLIES(p) ((p)->groups == 1 && (p)->k_h * (p)->k_w * (p)->in_c <= MN_CONV_PAIR_MAX_K)
#define MN_STEM1_APPLIES(p)                                                                                     \
  ((p)->groups == 1 && (p)->in_c == 1 && (p)->k_h == 3 && (p)->k_w == 3 && (p)->dil_w == 1 && (p)->stride_w <= 2 && \
   ((p)->out_c & 3) == 0)
#define MN_DWCV_MAX_K 7
#define MN_DW_D3P_GROUP_BYTES 160
#define MN_DWCV_APPLIES(p)                                                                                      \
  ((p)->dil_w == 1 && ((p)->depth_mult == 1 || (p)->depth_mult % 4 == 0) && (p)->k_h <= MN_DWCV_MAX_K &&          \
   (p)->k_w <= MN_DWCV_MAX_K)

#ifdef __cplusplus
}
#endif
#endif /* MN_KERNELS_OPT_H */
