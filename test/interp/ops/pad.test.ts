import { describe, expect, it } from 'vitest';
import { GraphBuilder, runOp } from '../build.js';

describe('PAD', () => {
  it('pads with the output zero point', () => {
    const b = new GraphBuilder();
    const x = b.tensor({ shape: [1, 1, 2, 1], scale: 0.1, zp: -7 });
    const p = b.tensor({ shape: [4, 2], dtype: 'int32', data: [0, 0, 1, 1, 0, 1, 0, 0] });
    const y = b.tensor({ shape: [1, 3, 3, 1], scale: 0.1, zp: -7 });
    expect(runOp(b, { kind: 'pad', inputs: [x, p], outputs: [y] }, [[5, 6]])).toEqual([-7, -7, -7, 5, 6, -7, -7, -7, -7]);
  });
});
