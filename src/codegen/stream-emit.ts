/**
 * C for a row-streamed region (see src/passes/stream.ts): one small function per stage that computes one
 * output row, and a driver that, for each row of the last stage, brings every stage up to the rows its
 * consumers need (the same schedule `regionSchedule` simulates), then drains the remaining rows.
 */
import { elementCount, tensorBytes, type Graph } from '../ir/types.js';
import { zeroPointOf } from '../fixed/params.js';
import { stagePulls, type StreamRegion } from '../passes/stream.js';
import type { ArenaPlan } from './arena.js';
import { render } from './emit.js';
import type { CField, Layer } from './layers.js';
import { refKernelName, rowKernelName, rowKernelOf, type VariantFamily } from './variants.js';

/** The reference kernel a layer's (possibly optimised) kernel implements. */
export function refKernelOf(layer: Layer): string {
  return refKernelName(layer.kernel ?? '');
}

/** Per-row parameter fields: the row kernels see one row's pixels / elements. */
export function rowFields(layer: Layer, g: Graph, region?: StreamRegion): CField[] {
  const ref = refKernelOf(layer);
  const out = g.tensors[layer.op.outputs[0]!]!;
  const rowElems = elementCount(out.shape) / out.shape[1]!;
  const ring = ref === 'mn_dw_conv_s8' ? region?.rings.find((r) => r.tensor === layer.op.inputs[0]) : undefined;
  const pixel = ring ? ring.rowBytes / g.tensors[ring.tensor]!.shape[2]! : 1;
  const halo: CField[] = ring && ring.haloBefore + ring.haloAfter > 0
    ? [{ name: 'halo_l', value: ring.haloBefore / pixel }, { name: 'halo_r', value: ring.haloAfter / pixel }]
    : [];
  return [...halo, ...layer.fields.map((f) => {
    if (ref === 'mn_conv_1x1_s8' && f.name === 'pixels') return { ...f, value: out.shape[2]! };
    const elementwise = ['mn_add_s8', 'mn_requantize', 'mn_lut_s8', 'mn_quantize_f32', 'mn_dequantize_f32'];
    if (elementwise.includes(ref) && f.name === 'size') return { ...f, value: rowElems };
    return f;
  })];
}

export function emitRegion(g: Graph, regionId: string, region: StreamRegion, layers: Layer[], arena: ArenaPlan, families: readonly VariantFamily[]): string {
  const rowBytes = (t: number) => tensorBytes(g.tensors[t]!) / g.tensors[t]!.shape[1]!;
  const rings = new Map(region.rings.map((r) => [r.tensor, r]));
  const ringOffset = (t: number) => arena.ringOffsets.get(`${regionId}:${t}`)!;
  const ringStart = (t: number) => `(a + ${ringOffset(t)}u)`;
  // row 0 of a ring starts after its halo; full tensors are rings of all their rows
  const base = (t: number) => (rings.has(t) ? `(a + ${ringOffset(t) + rings.get(t)!.haloBefore}u)` : `(a + OFF_T${t})`);
  const ringRows = (t: number) => rings.get(t)?.ringRows ?? g.tensors[t]!.shape[1]!;
  const stride = (t: number) => rings.get(t)?.stride ?? rowBytes(t);
  const rowPtr = (t: number) => {
    const p = `mn_ring_row(${base(t)}, ${ringRows(t)}, ${stride(t)}, y)`;
    return g.tensors[t]!.dtype === 'float32' ? `(float *)(void *)${p}` : p;
  };
  const stages = region.stages.map((s, i) => {
    const layer = layers[i]!;
    const ref = refKernelOf(layer);
    const rowRef = rowKernelOf(ref);
    const convRows = rowRef !== null;
    const kernel = rowKernelName(rowRef ?? ref, families);
    const d = s.deps[0]!;
    return {
      index: i, fn: `${regionId}_${layer.id}_row`, kernel, params: layer.id, convRows, rows: s.rows,
      kh: d.k, stride: d.stride, pad: d.pad, dil: d.dil,
      src: base(d.tensor), srcRingRows: ringRows(d.tensor), srcRowBytes: stride(d.tensor), srcHeight: g.tensors[d.tensor]!.shape[1]!,
      dst: rowPtr(s.out), args: [...s.deps.map((x) => rowPtr(x.tensor)), rowPtr(s.out)].join(', '),
    };
  });
  const last = region.stages.length - 1;
  const pulls = stagePulls(region.stages, region.sources);
  const ensureName = (i: number) => `${regionId}_${layers[i]!.id}_ensure`;
  const fetchName = (k: number) => `${regionId}_fetch_t${region.sources[k]!}`;
  const hasSources = region.sources.length > 0;
  const stageViews = stages.map((st, i) => ({
    ...st, layer: layers[i]!.op.index, ensure: ensureName(i),
    pulls: pulls[i]!.map((p) => 'producer' in p
      ? { ensure: ensureName(p.producer), stride: p.dep.stride, pad: p.dep.pad, k: p.dep.k, dil: p.dep.dil, rows: region.stages[p.producer]!.rows }
      : { ensure: fetchName(p.source), stride: p.dep.stride, pad: p.dep.pad, k: p.dep.k, dil: p.dep.dil, rows: g.tensors[region.sources[p.source]!]!.shape[1]! }),
  }));
  return render('module/region.c.hbs', {
    id: regionId,
    layerList: layers.map((l) => l.op.index).join(', '),
    rings: region.rings.map((r) => ({
      tensor: r.tensor, name: g.tensors[r.tensor]!.name.replace(/\*\//g, '* /'), ringRows: r.ringRows, rows: r.rows, rowBytes: r.rowBytes,
      bytes: r.bytes, fullBytes: tensorBytes(g.tensors[r.tensor]!),
      halo: r.haloBefore + r.haloAfter > 0
        ? {
          start: ringStart(r.tensor), before: r.haloBefore, after: r.haloAfter, gap: r.stride - r.rowBytes, stride: r.stride,
          firstEnd: r.haloBefore + r.rowBytes, lastEnd: r.haloBefore + (r.ringRows - 1) * r.stride + r.rowBytes, zp: zeroPointOf(g.tensors[r.tensor]!),
        }
        : null,
    })),
    stages: stageViews, count: region.stages.length, slots: region.stages.length + region.sources.length,
    lastEnsure: ensureName(last), lastRows: region.stages[last]!.rows,
    drains: stageViews.slice(0, last).map((v) => ({ ensure: v.ensure, rows: v.rows })),
    sources: region.sources.map((t, k) => ({
      tensor: t, fetch: fetchName(k), slot: region.stages.length + k, base: base(t), ringRows: ringRows(t), rowBytes: rowBytes(t), stride: stride(t), rows: g.tensors[t]!.shape[1]!,
    })),
    rdParam: hasSources ? 'const mn_row_reader *rd, ' : '', rdArg: hasSources ? 'rd, ' : '',
  });
}
