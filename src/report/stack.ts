/**
 * Worst-case stack of a generated module's NAME_invoke, from the compiler's own numbers.
 *
 * gcc writes, per translation unit, the stack frame of every function (`-fstack-usage`, .su files:
 * `file.c:line:col:function<TAB>bytes<TAB>static|dynamic|dynamic,bounded`) and its call graph
 * (`-fcallgraph-info=su`, .ci files in VCG format: one node per function, one edge per call site). The
 * generated code has no recursion, no VLAs, no alloca and no function pointers, so the worst case is the
 * deepest path of the call tree rooted at NAME_invoke, each function counting its own frame. Anything that
 * breaks that assumption is reported instead of hidden: `bounded` is false when a frame is dynamic (without
 * gcc's `bounded`, which makes the number an upper bound) or the
 * graph has a cycle or an indirect call. Calls to libc / libgcc leaf routines that come without stack data
 * (memcpy, memset, the __aeabi_* soft-float helpers of float I/O on Cortex-M4) are listed in `leaves` and each
 * counted as LEAF_ALLOWANCE bytes (their real frames are a few pushed registers); any other callee without
 * stack data is listed in `unknown`, counted as 0, and makes `bounded` false. Naked asm loops of the optimised
 * kernels (0-byte frames in gcc's data) are each counted as ASM_FRAME_ALLOWANCE bytes.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { fail } from '../diagnostics.js';
import { writeModule, type CompiledModule } from '../codegen/index.js';
import { getTarget, toolchainAvailable, type Target, type TargetName } from '../targets/index.js';
import { summarizeToolOutput } from '../targets/tools.js';

export interface StackFunction {
  /** bytes of the function's own frame */
  self: number;
  /** self + the deepest chain of callees */
  worst: number;
  /** gcc's qualifier: static, dynamic or dynamic,bounded */
  qualifier: string;
  callees: string[];
  /** file:line of the definition */
  at: string;
}

export interface StackReport {
  target: string;
  /** the entry point analysed, e.g. person_invoke */
  entry: string;
  /** worst-case stack bytes of one call of the entry point (the caller's own frame not included) */
  invokeBytes: number;
  /** the deepest call chain, entry first */
  path: string[];
  /** every function gcc reported, by call-graph name (`file.c:name` for static functions) */
  perFunction: Record<string, StackFunction>;
  /** libc / libgcc leaf routines called (no stack data; each counted as LEAF_ALLOWANCE bytes) */
  leaves: string[];
  /** other functions called without stack data (counted as 0; they make the result not a bound) */
  unknown: string[];
  /** false when a frame is dynamic and unbounded, or the call graph has a cycle or an indirect call */
  bounded: boolean;
}

export interface StackOptions {
  /** module name (default: found from the `int NAME_invoke(` definition) */
  name?: string;
  /** more compile flags (e.g. '-Os'); the target's own flags always come first */
  extraCflags?: string[];
}

interface Node {
  name: string;
  label: string;
  at: string;
  self: number | null;
  qualifier: string;
}

/** Parses .su text: "file.c:12:6:fn<TAB>48<TAB>static" -> key "file.c:12:fn" */
export function parseStackUsage(text: string): Map<string, { bytes: number; qualifier: string }> {
  const out = new Map<string, { bytes: number; qualifier: string }>();
  for (const line of text.split('\n')) {
    const m = /^(.*):(\d+):\d+:([^\t]+)\t(\d+)\t(\S+)\s*$/.exec(line);
    if (m) out.set(`${basename(m[1]!)}:${m[2]}:${m[3]}`, { bytes: Number(m[4]), qualifier: m[5]! });
  }
  return out;
}

/** Parses a .ci (VCG) file: nodes with their label, and call edges. */
export function parseCallGraph(text: string): { nodes: Node[]; edges: [string, string][] } {
  const nodes: Node[] = [];
  const edges: [string, string][] = [];
  const unq = (s: string) => s.replace(/\\"/g, '"');
  for (const m of text.matchAll(/node: \{ title: "((?:[^"\\]|\\.)*)" label: "((?:[^"\\]|\\.)*)"/g)) {
    const label = unq(m[2]!);
    const parts = label.split('\\n');
    const bytes = /^(\d+) bytes \(([^)]*)\)/.exec(parts[2] ?? '');
    nodes.push({ name: unq(m[1]!), label: parts[0]!, at: parts[1] ?? '', self: bytes ? Number(bytes[1]) : null, qualifier: bytes ? bytes[2]! : '' });
  }
  for (const m of text.matchAll(/edge: \{ sourcename: "((?:[^"\\]|\\.)*)" targetname: "((?:[^"\\]|\\.)*)"/g)) edges.push([unq(m[1]!), unq(m[2]!)]);
  return { nodes, edges };
}

/** Worst-case stack from parsed .su and .ci contents (exported for tests). */
export function analyseStack(suTexts: string[], ciTexts: string[], entry: string, target = ''): StackReport {
  const su = new Map<string, { bytes: number; qualifier: string }>();
  for (const t of suTexts) for (const [k, v] of parseStackUsage(t)) su.set(k, v);
  const defined = new Map<string, Node>();
  const callees = new Map<string, Set<string>>();
  let bounded = true;
  for (const text of ciTexts) {
    const { nodes, edges } = parseCallGraph(text);
    for (const n of nodes) {
      // the .su file is the reference for frame sizes; the .ci label carries the same number
      const [file, line] = n.at.split(':');
      const fromSu = su.get(`${basename(file ?? '')}:${line}:${n.label}`);
      if (fromSu) {
        n.self = fromSu.bytes;
        n.qualifier = fromSu.qualifier;
      }
      if (n.self !== null) defined.set(n.name, n);
    }
    for (const [a, b] of edges) {
      if (!callees.has(a)) callees.set(a, new Set());
      callees.get(a)!.add(b);
      if (b === '__indirect_call') bounded = false;
    }
  }
  const perFunction: Record<string, StackFunction> = {};
  for (const [name, n] of defined) {
    // gcc: for `dynamic,bounded` the number is an upper bound (e.g. x86-64 realigning the stack); plain `dynamic` is not
    if (n.qualifier !== 'static' && n.qualifier !== 'dynamic,bounded') bounded = false;
    // naked asm loops of the optimised kernels report a 0-byte frame: count what they push themselves
    const asm = n.self === 0 && !callees.get(name)?.size && VARIANT_FILE.test(n.at.split(':')[0] ?? '');
    perFunction[name] = { self: asm ? ASM_FRAME_ALLOWANCE : n.self!, worst: n.self!, qualifier: n.qualifier, callees: [...(callees.get(name) ?? [])].sort(), at: n.at };
  }
  const unknown = new Set<string>();
  const leaves = new Set<string>();
  const worst = new Map<string, { bytes: number; path: string[] }>();
  const onPath = new Set<string>();
  const visit = (f: string): { bytes: number; path: string[] } => {
    const done = worst.get(f);
    if (done) return done;
    const fn = perFunction[f];
    if (!fn) {
      if (LEAF.test(f)) {
        leaves.add(f);
        return { bytes: LEAF_ALLOWANCE, path: [f] };
      }
      unknown.add(f);
      return { bytes: 0, path: [f] };
    }
    if (onPath.has(f)) {
      bounded = false; // recursion: no finite bound
      return { bytes: 0, path: [f] };
    }
    onPath.add(f);
    let deepest: { bytes: number; path: string[] } = { bytes: 0, path: [] };
    for (const c of fn.callees) {
      const r = visit(c);
      if (r.bytes > deepest.bytes || deepest.path.length === 0) deepest = r;
    }
    onPath.delete(f);
    const r = { bytes: fn.self + deepest.bytes, path: [f, ...deepest.path] };
    fn.worst = r.bytes;
    worst.set(f, r);
    return r;
  };
  for (const f of Object.keys(perFunction)) visit(f);
  if (unknown.size) bounded = false;
  if (!perFunction[entry]) fail('MN403', `no stack data for ${entry} (was the module compiled with -fstack-usage -fcallgraph-info=su?)`);
  const r = visit(entry);
  return { target, entry, invokeBytes: r.bytes, path: r.path, perFunction, leaves: [...leaves].sort(), unknown: [...unknown].sort(), bounded };
}

/**
 * Bytes counted for a leaf function of an optimised kernel file (runtime-c/src/*_dsp.c, *_mve.c, *_rv32.c) that
 * gcc reports with a 0-byte frame: the naked asm loops, which push their own registers and locals (the largest
 * pushes 9 registers and reserves 224 bytes, 260 B). An upper bound, also charged to plain 0-byte leaves there.
 */
export const ASM_FRAME_ALLOWANCE = 288;
const VARIANT_FILE = /_(?:dsp|mve|rv32)\.c$/;

/** libc / libgcc leaf routines: no stack data, no calls back into the module, frames of a few registers. */
const LEAF = /^(?:memcpy|memset|memmove|memcmp)$|^__aeabi_\w+$|^__(?:add|sub|mul|div|mod|udiv|umod|neg|cmp|ucmp|fix|fixuns|float|floatun|extend|trunc|ashl|ashr|lshr|clz|ctz|popcount)\w*$/;
/** Bytes counted for each call of such a leaf (newlib's memcpy and libgcc's __aeabi_dmul push at most 8 registers). */
export const LEAF_ALLOWANCE = 64;

function moduleName(dir: string): string {
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.c'))) {
    const m = /^int ([a-z_][a-z0-9_]*)_invoke\(/m.exec(readFileSync(join(dir, f), 'utf8'));
    if (m) return m[1]!;
  }
  return fail('MN403', `${dir} has no generated module (no NAME_invoke definition)`);
}

/**
 * Worst-case stack of NAME_invoke for the module in `dir` (as written by `mnetc compile` / writeModule) on
 * `target`. If `dir` already holds .su and .ci files (a build with extraCflags
 * ['-fstack-usage', '-fcallgraph-info=su']), those are read; otherwise every .c file of the module is compiled
 * with the target's compiler and flags into a temporary directory, which is removed afterwards.
 */
export async function stackReport(target: Target | TargetName, dir: string, opts: StackOptions = {}): Promise<StackReport> {
  const t = typeof target === 'string' ? getTarget(target) : target;
  const name = opts.name ?? moduleName(dir);
  const listed = (d: string, ext: string) => readdirSync(d).filter((f) => f.endsWith(ext)).map((f) => readFileSync(join(d, f), 'utf8'));
  if (listed(dir, '.su').length && listed(dir, '.ci').length) return analyseStack(listed(dir, '.su'), listed(dir, '.ci'), `${name}_invoke`, t.name);
  if (!toolchainAvailable(t)) fail('MN403', `cannot build for ${t.name}: ${t.cc} is not installed`);
  const work = mkdtempSync(join(tmpdir(), 'mnetc-stack-'));
  try {
    const sources = readdirSync(dir).filter((f) => f.endsWith('.c')).sort();
    const compile = async (src: string) => {
      const obj = join(work, src.replace(/\.c$/, '.o'));
      // compiled from inside `dir` so that static functions are named `file.c:fn`, not by absolute path
      const args = [...t.cflags, ...(opts.extraCflags ?? []), '-I.', '-fstack-usage', '-fcallgraph-info=su', '-c', src, '-o', obj];
      const r = await execa(t.cc, args, { cwd: dir, reject: false, timeout: 300_000, stdin: 'ignore' });
      if (r.exitCode !== 0) fail('MN403', `${t.name}: ${t.cc} failed compiling ${src}:\n${summarizeToolOutput(`${r.stderr}\n${r.stdout}`)}`);
    };
    // two at a time
    for (let i = 0; i < sources.length; i += 2) await Promise.all(sources.slice(i, i + 2).map(compile));
    return analyseStack(listed(work, '.su'), listed(work, '.ci'), `${name}_invoke`, t.name);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Worst-case stack of a compiled (not yet written) module's NAME_invoke on `target`: the module is written to a
 * temporary directory, compiled there with -fstack-usage / -fcallgraph-info (stackReport), and removed.
 */
export async function moduleStackReport(target: Target | TargetName, mod: CompiledModule, opts: Omit<StackOptions, 'name'> = {}): Promise<StackReport> {
  const dir = mkdtempSync(join(tmpdir(), 'mnetc-stack-module-'));
  try {
    writeModule(mod, dir, { force: true });
    return await stackReport(target, dir, { ...opts, name: mod.name });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One line per function on the deepest path, for reports. */
export function formatStackPath(r: StackReport): string {
  return r.path.map((f) => `${f} ${r.perFunction[f]?.self ?? (r.leaves.includes(f) ? `<=${LEAF_ALLOWANCE}` : '?')} B`).join(' -> ');
}
