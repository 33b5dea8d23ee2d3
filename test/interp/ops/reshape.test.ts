import { describe, expect, it } from 'vitest';
import { GraphBuilder, runOp } from '../build.js';

describe('RESHAPE / SQUEEZE', () => {
  it('moves the bytes unchanged', () => {
    const b = new GraphBuilder();
    const x = b.tensor({ shape: [1, 1, 1, 4], scale: 1 }), s = b.tensor({ shape: [2], dtype: 'int32', data: [1, 4] });
    const y = b.tensor({ shape: [1, 4], scale: 1 });
    expect(runOp(b, { kind: 'reshape', inputs: [x, s], outputs: [y] }, [[1, -2, 3, -4]])).toEqual([1, -2, 3, -4]);
  });
});
