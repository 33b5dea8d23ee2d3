/**
 * NumPy-style broadcasting: for every element of `outShape` (row-major), the flat index of the element of an
 * input of shape `inShape` that it reads. Shapes are right-aligned; a dimension of 1 repeats.
 */
import { fail } from '../../diagnostics.js';
import { elementCount } from '../../ir/types.js';

export function broadcastIndex(inShape: readonly number[], outShape: readonly number[]): Int32Array {
  const rank = outShape.length;
  if (inShape.length > rank) fail('MN205', `cannot broadcast shape [${inShape.join(',')}] to [${outShape.join(',')}]`);
  const padded = [...Array(rank - inShape.length).fill(1), ...inShape] as number[];
  const strides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    if (padded[d] !== 1 && padded[d] !== outShape[d]) fail('MN205', `cannot broadcast shape [${inShape.join(',')}] to [${outShape.join(',')}]`);
    strides[d] = padded[d] === 1 ? 0 : s;
    s *= padded[d]!;
  }
  const n = elementCount(outShape);
  const idx = new Int32Array(n);
  const coord = new Array<number>(rank).fill(0);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let d = 0; d < rank; d++) off += coord[d]! * strides[d]!;
    idx[i] = off;
    for (let d = rank - 1; d >= 0; d--) {
      if (++coord[d]! < outShape[d]!) break;
      coord[d] = 0;
    }
  }
  return idx;
}
