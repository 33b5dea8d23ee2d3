/** Reading model input files and writing output files in the raw-bytes format of shared/golden. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fail } from '../diagnostics.js';
import { tensorBytes, type Graph } from '../ir/types.js';

export function readInputs(graph: Graph, files: string[]): Uint8Array[] {
  if (files.length !== graph.inputs.length) {
    fail('MN400', `the model has ${graph.inputs.length} input tensor(s), ${files.length} file(s) given`);
  }
  return files.map((f, k) => {
    const t = graph.tensors[graph.inputs[k]!]!;
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(f));
    } catch (e) {
      return fail('MN100', `cannot read input file ${f}: ${(e as Error).message}`);
    }
    const want = tensorBytes(t);
    if (bytes.length !== want) {
      fail('MN401', `input file ${f} has ${bytes.length} bytes; input ${k} "${t.name}" (${t.dtype} [${t.shape.join(',')}]) needs exactly ${want}`);
    }
    return bytes;
  });
}

export function writeOutputs(graph: Graph, files: string[], outputs: Uint8Array[], opts: { force?: boolean } = {}): void {
  if (files.length !== graph.outputs.length) {
    fail('MN400', `the model has ${graph.outputs.length} output tensor(s), ${files.length} file(s) given`);
  }
  files.forEach((f, k) => {
    if (opts.force === false && existsSync(f)) fail('MN404', `${f} exists; pass --force to overwrite it`);
    try {
      writeFileSync(f, outputs[k]!);
    } catch (e) {
      fail('MN402', `cannot write output file ${f}: ${(e as Error).message}`);
    }
  });
}

export function splitList(s: string | undefined): string[] {
  return s ? s.split(',').filter((x) => x.length > 0) : [];
}
