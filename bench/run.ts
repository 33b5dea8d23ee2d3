/**
 * `npm run bench`: mnetc's numbers beside the peers' (../shared/docs/baselines.json, measured on this machine
 * kind). Nothing here is a test: it prints tables. Methods:
 *  - arena: bytes of the one static arena (inputs, outputs, intermediates, rings, scratch), from the plan;
 *    TFLM's figure is its activation plan (arena_head_bytes) for the same model. "rows": compiled with
 *    --input-rows (the caller delivers the input one row at a time; its ring of rows is in the arena).
 *  - reference time: wall-clock of one interpreter run (median of 3) on this machine.
 *  - compile time: wall-clock of compileGraph (TypeScript part only, no C compiler), median of 3.
 *  - instructions: exact instructions retired between the two mn_bench_mark() calls around one inference
 *    on qemu-system-arm mps2-an386 (Cortex-M4, -O2), counted by the project's TCG plugin. Not cycles.
 * Usage: node dist/bench/run.js [--no-qemu] [--models a,b]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadModel } from '../src/api/model.js';
import { runNative } from '../src/api/native.js';
import { randomInput } from '../src/api/golden-test.js';
import { compileGraph } from '../src/codegen/index.js';
import { packageRoot } from '../src/codegen/paths.js';
import { interpret } from '../src/interp/index.js';
import { canRun } from '../src/targets/index.js';
import { formatTable } from '../src/cli/format.js';

const shared = resolve(packageRoot, '../shared');
const args = process.argv.slice(2);
const noQemu = args.includes('--no-qemu');
const only = args.includes('--models') ? args[args.indexOf('--models') + 1]!.split(',') : null;

interface Baseline { macs: number; tflm_cmsis_nn_instructions_m4: number; tflm_arena_head: number; tinyengine_float_requant_instructions_m4?: number }
const baselines: Record<string, Baseline> = existsSync(join(shared, 'docs/baselines.json'))
  ? (JSON.parse(readFileSync(join(shared, 'docs/baselines.json'), 'utf8')) as { models: Record<string, Baseline> }).models
  : {};
/** issue #4's goals, bytes */
const arenaGoal: Record<string, number> = {
  person_detect: 20 * 1024, 'mobilenet_v1_0.25_96_vww_int8': 32 * 1024, 'mobilenet_v1_0.5_96_vww_int8': 48 * 1024,
  'fomo_mobilenet_v2_0.35_96_face_int8': 40 * 1024, mcunet_vww_80_int8_floatio: 110 * 1024, 'mobilenet_v2_1.0_224_ptq_uint8io': 200 * 1024,
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
function timeMs(f: () => void, n = 3): number {
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    f();
    t.push(performance.now() - t0);
  }
  return median(t);
}
const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(1)}%`;

/** The zoo (test/fixtures/zoo): MACs, weights and arenas of every committed model. */
export function zooTable(): string {
  const zoo = join(packageRoot, 'test/fixtures/zoo');
  if (!existsSync(zoo)) return '';
  const manifest = JSON.parse(readFileSync(join(zoo, 'manifest.json'), 'utf8')) as { models: { name: string; variant: Record<string, unknown>; committed?: boolean }[] };
  const rows: (string | number)[][] = [];
  for (const m of manifest.models) {
    if (!existsSync(join(zoo, `${m.name}.tflite`))) continue;
    const g = loadModel(join(zoo, `${m.name}.tflite`));
    const r = compileGraph(g, { name: 'zoo' }).report;
    const io = `${g.tensors[g.inputs[0]!]!.dtype}/${g.tensors[g.outputs[0]!]!.dtype}`;
    rows.push([m.name, g.tensors[g.inputs[0]!]!.shape.slice(1).join('x'), io, r.macs, r.weights_bytes, r.arena_bytes_layer, r.arena_bytes_stream]);
  }
  return formatTable(['model', 'input', 'I/O', 'MACs', 'weights B', 'arena layer B', 'arena stream B'], rows, [false, false, false, true, true, true, true]);
}

async function main(): Promise<void> {
  if (args.includes('--zoo')) {
    process.stdout.write(`${zooTable()}\n`);
    return;
  }
  const models = existsSync(join(shared, 'models'))
    ? Object.keys(arenaGoal).filter((m) => existsSync(join(shared, 'models', `${m}.tflite`)) && (!only || only.includes(m)))
    : [];
  if (!models.length) {
    process.stdout.write('bench: ../shared/models not found; nothing to compare against\n');
    return;
  }
  const mem: (string | number)[][] = [], time: (string | number)[][] = [], insn: (string | number)[][] = [];
  for (const m of models) {
    process.stderr.write(`bench: ${m}\n`);
    const g = loadModel(join(shared, 'models', `${m}.tflite`));
    const b = baselines[m];
    // the arena of the Cortex-M4 build (whose instructions are counted below: its rings carry the halos of the
    // Arm DSP depthwise kernel), and of targets without them (host, RISC-V)
    let mod = compileGraph(g, { name: 'bench', target: 'cortex-m4' });
    const compile = timeMs(() => {
      mod = compileGraph(g, { name: 'bench', target: 'cortex-m4' });
    });
    const r = mod.report;
    const plain = compileGraph(g, { name: 'bench', target: 'host' }).report.arena_bytes_stream;
    const rows = compileGraph(g, { name: 'bench', target: 'cortex-m4', rowInput: true }).report.arena_bytes;
    mem.push([m, b?.tflm_arena_head ?? '-', r.arena_bytes_layer, r.arena_bytes_stream, plain, rows, arenaGoal[m]!, r.arena_bytes_stream <= arenaGoal[m]! ? 'yes' : 'NO', b ? pct(r.arena_bytes_stream, b.tflm_arena_head) : '-']);
    const inputs = g.inputs.map((t, k) => randomInput(g.tensors[t]!, 11 + k));
    const ref = timeMs(() => interpret(g, inputs));
    time.push([m, r.macs, Math.round(ref), Math.round(compile)]);
    if (!noQemu && canRun('cortex-m4')) {
      const counted = async (memoryPlan: 'layer' | 'stream', rowInput = false) =>
        (await runNative(g, inputs, { target: 'cortex-m4', name: 'bench', memoryPlan, rowInput, countInstructions: true, timeoutMs: 900_000 })).instructions ?? NaN;
      const stream = await counted('stream');
      const layer = await counted('layer');
      const rowsInsn = await counted('stream', true);
      insn.push([m, b?.tflm_cmsis_nn_instructions_m4 ?? '-', layer, stream, pct(stream - layer, layer), rowsInsn, pct(rowsInsn - layer, layer), (r.macs / stream).toFixed(2), b ? pct(stream, b.tflm_cmsis_nn_instructions_m4) : '-']);
    }
  }
  const out = process.stdout;
  out.write('\nActivation arena (bytes; all RAM for activations incl. model input/output; Cortex-M4 builds)\n');
  out.write(`${formatTable(['model', 'TFLM', 'mnetc layer', 'mnetc stream', 'stream, no halo', 'mnetc rows', 'goal', 'meets goal', 'stream/TFLM'], mem, [false, true, true, true, true, true, true, false, true])}\n`);
  out.write('(mnetc rows: compiled with --input-rows, the input handed over row by row; stream, no halo: the same plan for host and RISC-V,\n');
  out.write(' whose depthwise kernels need no zero-point halo around ring rows; MCUNetV2 reports 172 kB for MobileNetV2-1.0-224)\n');
  out.write('\nHost timings (ms, median of 3)\n');
  out.write(`${formatTable(['model', 'MACs', 'reference interpreter', 'compile (TS)'], time, [false, true, true, true])}\n`);
  if (insn.length) {
    out.write('\nCortex-M4 instructions per inference (qemu mps2-an386, exact count between bench marks)\n');
    out.write(`${formatTable(['model', 'TFLM+CMSIS-NN', 'mnetc layer', 'mnetc stream', 'stream cost', 'mnetc rows', 'rows cost', 'MAC/insn', 'vs CMSIS-NN'], insn, [false, true, true, true, true, true, true, true, true])}\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
