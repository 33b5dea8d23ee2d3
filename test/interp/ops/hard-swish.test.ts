import { describe, expect, it } from 'vitest';
import { GraphBuilder, runOp } from '../build.js';

const all = Array.from({ length: 256 }, (_, i) => i - 128);
const hardSwish = (v: number): number => (v * Math.min(6, Math.max(0, v + 3))) / 6;

describe('HARD_SWISH int8', () => {
  it('hand-checked values (s_in 0.1, s_out 0.05)', () => {
    // x = 40 (4.0): preshift 2560; reluish saturates to 32767 -> sdhm16(32767, 2560) = 2559 -> rdbpot(2559, 5) = 80
    // x = 10 (1.0): reluish 21845, preshift 640 -> trunc(426.66) = 426 -> round(13.31) = 13 (1 * 4 / 6 / 0.05 = 13.3)
    // x = -40 (-4.0): reluish -> 0 -> 0
    const b = new GraphBuilder();
    const x = b.tensor({ shape: [4], scale: 0.1 }), y = b.tensor({ shape: [4], scale: 0.05 });
    expect(runOp(b, { kind: 'hard_swish', inputs: [x], outputs: [y] }, [[40, 10, -40, 0]])).toEqual([80, 13, 0, 0]);
  });
  it('the last multiply truncates (SaturatingDoublingHighMul): s_in 0.03, s_out 0.0004, x = 1', () => {
    // output multiplier: (0.03/128)/0.0004 = 0.5859375 -> Q15 19200, exponent 0
    // reluish multiplier: (0.03/128)/(3/32768) = 2.56 = 0.64 * 2^2 -> Q15 20972, exponent 2
    // hires = 128; preshift = srdhm16(128, 19200) = 75
    // reluish: 128 << 1 = 256; srdhm16(256, 20972) = round(163.84) = 164; << 1 = 328; (328 + 32768) >> 1 = 16548
    // sdhm16(16548, 75) = trunc(37.875) = 37 (a rounding multiply would give 38); exponent 0 -> 37
    const b = new GraphBuilder();
    const x = b.tensor({ shape: [3], scale: 0.03 }), y = b.tensor({ shape: [3], scale: 0.0004 });
    expect(runOp(b, { kind: 'hard_swish', inputs: [x], outputs: [y] }, [[1, 0, -1]])).toEqual([37, 0, -37]);
  });
  it('every input is within one unit of the float hard-swish', () => {
    for (const [si, zi, so, zo] of [[0.0734, -3, 0.0412, -100], [0.02, 10, 0.015, -90], [0.2, 0, 0.1, 5]] as const) {
      const b = new GraphBuilder();
      const x = b.tensor({ shape: [256], scale: si, zp: zi }), y = b.tensor({ shape: [256], scale: so, zp: zo });
      const got = runOp(b, { kind: 'hard_swish', inputs: [x], outputs: [y] }, [all]);
      got.forEach((q, i) => {
        const real = hardSwish((all[i]! - zi) * Math.fround(si)) / Math.fround(so) + zo;
        expect(Math.abs(q - Math.min(127, Math.max(-128, real)))).toBeLessThanOrEqual(1);
      });
    }
  });
});
