/**
 * Engines that run generated C: compile the model, build it with a runner for a target (host cc, or
 * bare-metal firmware under QEMU), pass the inputs as files and read the outputs back.
 *
 * Builds are cached by the hash of everything that goes into them (generated sources, runtime files,
 * target, flags), so running several inputs through one model compiles it once.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fail } from '../diagnostics.js';
import { compileGraph, writeModule, type CompiledModule, type CompileOptions } from '../codegen/index.js';
import { cTypeOfTensor, render } from '../codegen/emit.js';
import { runtimeDir, VERSION } from '../codegen/paths.js';
import { elementCount, type Graph } from '../ir/types.js';
import { buildProgram, getTarget, runProgram, toolchainAvailable } from '../targets/index.js';

export interface NativeRunOptions extends CompileOptions {
  target: string;
  /** extra C flags (e.g. sanitizers) */
  extraCflags?: string[];
  /** write every layer's output tensor into this directory (t<index>.bin) */
  traceDir?: string;
  /** mark every layer boundary for the instruction counter (per-layer instructions in `marks`) */
  profile?: boolean;
  countInstructions?: boolean;
  /** with countInstructions: executed instructions per guest address (NativeRunResult.pcCounts) */
  pcProfile?: boolean;
  timeoutMs?: number;
  /**
   * dead-region poisoning (defines NAME_POISON): after each layer or streamed region the module fills every
   * arena byte whose data is dead from then on with 0xCD, so a read of dead data changes the outputs
   */
  poison?: boolean;
}

export interface NativeRunResult {
  outputs: Uint8Array[];
  /** instructions retired by one inference (between the runner's marks around invoke) */
  instructions?: number;
  /** instructions between consecutive bench marks (with profile: one entry per layer or region) */
  marks?: number[];
  /** executed instructions per guest address over the whole run (pcProfile) */
  pcCounts?: Map<number, number>;
  /** tensor index -> bytes, when traced */
  traced?: Map<number, Uint8Array>;
  module: CompiledModule;
  elfPath: string;
}

export function runnerSource(graph: Graph, mod: CompiledModule): string {
  const NAME = mod.name.toUpperCase();
  const inputs = graph.inputs.map((t, k) => ({
    index: k, file: `in${k}.bin`, ctype: cTypeOfTensor(graph.tensors[t]!), elements: Math.max(1, elementCount(graph.tensors[t]!.shape)), bytesMacro: `${NAME}_INPUT${k}_BYTES`,
  }));
  const outputs = graph.outputs.map((t, k) => ({
    index: k, file: `out${k}.bin`, ctype: cTypeOfTensor(graph.tensors[t]!), elements: Math.max(1, elementCount(graph.tensors[t]!.shape)), bytesMacro: `${NAME}_OUTPUT${k}_BYTES`,
  }));
  const rowInput = mod.report.row_input;
  const args = [...(rowInput ? ['read_row', 'input0'] : inputs.map((i) => `input${i.index}`)), ...outputs.map((o) => `output${o.index}`)].join(', ');
  return render('runner/main.c.hbs', { name: mod.name, NAME, version: VERSION, inputs, outputs, args, rowInput });
}

/** mnetc's build cache (MNETC_CACHE_DIR, else a per-user folder in the temp dir), created on first use. */
export function cacheRoot(): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const d = process.env.MNETC_CACHE_DIR ?? join(tmpdir(), `mnetc-cache-${uid}`);
  mkdirSync(d, { recursive: true });
  return d;
}

/** Generates, writes and builds the module + runner; returns the program path (cached). */
export async function buildNative(graph: Graph, opts: NativeRunOptions): Promise<{ module: CompiledModule; elfPath: string; dir: string }> {
  const target = getTarget(opts.target);
  if (!toolchainAvailable(target)) fail('MN403', `the ${target.name} toolchain is not installed on this machine`);
  const module = compileGraph(graph, { ...opts, name: opts.name ?? 'model' });
  const runner = runnerSource(graph, module);
  const defines: Record<string, string> = {};
  if (opts.traceDir) defines[`${module.name.toUpperCase()}_TRACE`] = '1';
  else if (opts.profile) defines[`${module.name.toUpperCase()}_PROFILE`] = '1';
  if (opts.poison) defines[`${module.name.toUpperCase()}_POISON`] = '1';
  const h = createHash('sha256');
  h.update(`${VERSION}\n${target.name}\n${JSON.stringify(opts.extraCflags ?? [])}\n${JSON.stringify(defines)}\n`);
  for (const [f, text] of [...module.files].sort()) h.update(`${f}\n${text}\n`);
  for (const rf of module.runtimeFiles) h.update(readFileSync(join(runtimeDir, rf)));
  // startup code, linker scripts and I/O that buildProgram adds
  for (const f of readdirSync(join(runtimeDir, 'platform'), { recursive: true }) as string[]) {
    const p = join(runtimeDir, 'platform', f);
    if (statSync(p).isFile()) h.update(`${f}\n`).update(readFileSync(p));
  }
  h.update(runner);
  const key = h.digest('hex').slice(0, 24);
  const dir = join(cacheRoot(), `${module.name}-${target.name}-${key}`);
  const elfName = 'program';
  const done = join(dir, '.built');
  if (existsSync(done)) return { module, elfPath: readFileSync(done, 'utf8'), dir };
  const work = `${dir}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  const written = writeModule(module, work, { force: true });
  writeFileSync(join(work, 'main.c'), runner);
  const sources = [...written.filter((f) => f.endsWith('.c')), 'main.c'].map((f) => join(work, f));
  const { elfPath: builtPath } = await buildProgram(target, { sources, includeDirs: [work], defines, outDir: work, name: elfName, extraCflags: opts.extraCflags });
  try {
    renameSync(work, dir);
  } catch {
    rmSync(work, { recursive: true, force: true }); // another process finished the same build first
    if (!existsSync(done)) fail('MN499', `cannot move the build into ${dir}`);
    return { module, elfPath: readFileSync(done, 'utf8'), dir };
  }
  // the program was linked inside `work`, which now has its final name
  const built = join(dir, basename(builtPath));
  writeFileSync(done, built);
  return { module, elfPath: built, dir };
}

export async function runNative(graph: Graph, inputs: Uint8Array[], opts: NativeRunOptions): Promise<NativeRunResult> {
  const { module, elfPath } = await buildNative(graph, opts);
  const target = getTarget(opts.target);
  const runDir = mkdtempSync(join(cacheRoot(), 'run-'));
  try {
    inputs.forEach((b, k) => writeFileSync(join(runDir, `in${k}.bin`), b));
    const r = await runProgram(target, elfPath, { cwd: runDir, timeoutMs: opts.timeoutMs ?? 600_000, countInstructions: opts.countInstructions, pcProfile: opts.pcProfile });
    if (r.exitCode !== 0) {
      const why = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-3).join(' | ');
      fail('MN403', `the generated program for ${target.name} exited with status ${r.exitCode}${why ? `: ${why}` : ''}`);
    }
    const outputs = graph.outputs.map((_, k) => {
      const p = join(runDir, `out${k}.bin`);
      if (!existsSync(p)) fail('MN403', `the generated program wrote no out${k}.bin`);
      return new Uint8Array(readFileSync(p));
    });
    let traced: Map<number, Uint8Array> | undefined;
    if (opts.traceDir) {
      traced = new Map();
      for (const l of module.layers) {
        const t = l.op.outputs[0]!;
        const p = join(runDir, `t${t}.bin`);
        if (existsSync(p)) traced.set(t, new Uint8Array(readFileSync(p)));
      }
    }
    const res: NativeRunResult = { outputs, module, elfPath };
    // the inference alone: the marks bracket invoke (and, when profiling, every layer in between)
    if (r.marks?.length) {
      res.marks = r.marks;
      res.instructions = r.marks.reduce((a, b) => a + b, 0);
    } else if (r.instructions !== undefined) res.instructions = r.instructions;
    if (traced) res.traced = traced;
    if (r.pcCounts) res.pcCounts = r.pcCounts;
    return res;
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}
