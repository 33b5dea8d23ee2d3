/**
 * The targets layer: build a generated C module (plus the runtime-c/platform I/O layer and startup code)
 * into a host program or bare-metal firmware, run it (directly or under QEMU with semihosting), count its
 * instructions exactly (QEMU TCG plugin), and measure its size.
 *
 * Firmware programs are plain `int main(void)` programs that move bytes with mn_io_read/mn_io_write
 * (runtime-c/platform/mn_io.h); file names are relative to RunOptions.cwd on every target.
 */
import { mkdirSync, existsSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { execa } from 'execa';
import { fail } from '../diagnostics.js';
import { TARGET_TABLE } from './catalog.js';
import { compilerFinds, ensureIcountPlugin, platformDir, summarizeToolOutput, which } from './tools.js';
import type { BuildOptions, BuildResult, RunOptions, RunResult, SizeInfo, Target, TargetName } from './types.js';

export type {
  BuildOptions,
  BuildResult,
  KernelVariant,
  MemoryMap,
  MemoryRegion,
  QemuConfig,
  RunOptions,
  RunResult,
  SizeInfo,
  Target,
  TargetKind,
  TargetName,
} from './types.js';
export { COMMON_CFLAGS, DEFAULT_STACK_BYTES } from './catalog.js';
export { ensureIcountPlugin, platformDir, projectRoot } from './tools.js';

const DEFAULT_BUILD_TIMEOUT_MS = 300_000;
const DEFAULT_RUN_TIMEOUT_MS = 60_000;

/** The target called `name`; MN405 for an unknown name. */
export function getTarget(name: string): Target {
  const t = TARGET_TABLE.get(name as TargetName);
  if (!t) fail('MN405', `unknown target '${name}' (known: ${[...TARGET_TABLE.keys()].join(', ')})`);
  return t;
}

/** Every target mnetc knows, available here or not. */
export function listTargets(): Target[] {
  return [...TARGET_TABLE.values()];
}

function asTarget(t: Target | TargetName): Target {
  return typeof t === 'string' ? getTarget(t) : t;
}

/** Is the compiler (and the C library / specs it needs) installed? Synchronous and cached. */
export function toolchainAvailable(target: Target | TargetName): boolean {
  const t = asTarget(target);
  if (!which(t.cc)) return false;
  return t.requiredFiles.every((f) => compilerFinds(t.cc, f));
}

/** Can programs for this target run here: the host always, emulated targets when their QEMU is installed. */
export function emulatorAvailable(target: Target | TargetName): boolean {
  const t = asTarget(target);
  if (t.buildOnly) return false;
  if (t.kind === 'host') return true;
  return t.qemu !== null && which(t.qemu.binary) !== null;
}

/** toolchainAvailable && emulatorAvailable */
export function canRun(target: Target | TargetName): boolean {
  return toolchainAvailable(target) && emulatorAvailable(target);
}

/**
 * Compile and link `sources` (plus the target's platform I/O and startup files) into one program with a
 * single compiler invocation. Firmware gets the target's linker script and a linker map next to the ELF.
 * Build-only targets (no startup code here) get a relocatable object `<name>.o` (`gcc -r`) for their SDK.
 * Throws MN403 (summarising the compiler's messages) when the toolchain is missing or the build fails.
 */
export async function buildProgram(target: Target | TargetName, opts: BuildOptions): Promise<BuildResult> {
  const t = asTarget(target);
  if (!toolchainAvailable(t)) {
    const what = [t.cc, ...t.requiredFiles].join(' + ');
    fail('MN403', `cannot build for ${t.name}: its toolchain (${what}) is not installed`);
  }
  if (!/^[A-Za-z0-9_.-]+$/.test(opts.name)) fail('MN405', `invalid program name '${opts.name}'`);
  if (opts.sources.length === 0) fail('MN405', 'buildProgram: no sources given');
  const outDir = resolvePath(opts.outDir);
  mkdirSync(outDir, { recursive: true });

  const pdir = platformDir();
  const platformSources = opts.platform === false ? [] : t.platformSources.map((s) => join(pdir, s));
  const sources = [...platformSources, ...opts.sources.map((s) => resolvePath(s))];
  const includes = [pdir, ...opts.includeDirs.map((d) => resolvePath(d))].map((d) => `-I${d}`);
  const defines = Object.entries(opts.defines ?? {}).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) fail('MN405', `invalid macro name '${k}'`);
    return v === '' ? `-D${k}` : `-D${k}=${v}`;
  });
  const compileFlags = [...t.cflags, ...(opts.extraCflags ?? []), ...includes, ...defines];

  let elfPath: string;
  let mapPath: string | undefined;
  let args: string[];
  if (t.buildOnly) {
    elfPath = join(outDir, `${opts.name}.o`);
    args = [...compileFlags, '-nostdlib', '-r', '-o', elfPath, ...sources];
  } else if (t.linkerScript) {
    const script = join(pdir, t.linkerScript);
    elfPath = join(outDir, `${opts.name}.elf`);
    mapPath = join(outDir, `${opts.name}.map`);
    args = [
      ...compileFlags,
      ...t.ldflags,
      `-T${script}`,
      `-L${dirname(script)}`,
      `-Wl,-Map=${mapPath}`,
      '-o',
      elfPath,
      ...sources,
      ...t.libs,
    ];
  } else {
    elfPath = join(outDir, opts.name);
    args = [...compileFlags, ...t.ldflags, '-o', elfPath, ...sources, ...t.libs];
  }

  const r = await execa(t.cc, args, {
    reject: false,
    timeout: opts.timeoutMs ?? DEFAULT_BUILD_TIMEOUT_MS,
    stdin: 'ignore',
  });
  if (r.timedOut) fail('MN403', `${t.name}: ${t.cc} timed out building '${opts.name}'`);
  if (r.exitCode !== 0) {
    const detail = r.exitCode === undefined ? String(r.originalMessage ?? r.message) : `${r.stderr}\n${r.stdout}`;
    fail(
      'MN403',
      `${t.name}: ${t.cc} failed building '${opts.name}'` +
        (r.exitCode === undefined ? '' : ` (exit ${r.exitCode})`) +
        `:\n${summarizeToolOutput(detail)}`,
    );
  }
  return { elfPath, ...(mapPath ? { mapPath } : {}), command: [t.cc, ...args] };
}

/**
 * Executed instructions per function: pcCounts (RunResult, pcProfile) folded with the program's symbol table
 * (<prefix>nm -S: every defined code symbol with a size), largest first. Addresses outside every sized
 * symbol are summed under "(unknown)".
 */
export async function functionProfile(target: Target | TargetName, elfPath: string, pcCounts: Map<number, number>): Promise<{ name: string; instructions: number }[]> {
  const t = asTarget(target);
  const r = await execa(`${t.binutilsPrefix}nm`, ['-S', '--defined-only', elfPath], { reject: false, timeout: 30_000 });
  if (r.exitCode !== 0) fail('MN403', `${t.binutilsPrefix}nm failed on ${elfPath}:\n${summarizeToolOutput(String(r.stderr))}`);
  const syms: { start: number; end: number; name: string }[] = [];
  for (const line of String(r.stdout).split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length !== 4 || !/^[tTwW]$/.test(f[2]!)) continue;
    const start = parseInt(f[0]!, 16) & ~1;
    syms.push({ start, end: start + parseInt(f[1]!, 16), name: f[3]! });
  }
  syms.sort((a, b) => a.start - b.start);
  const totals = new Map<string, number>();
  for (const [pc, n] of pcCounts) {
    const a = pc & ~1;
    let lo = 0;
    let hi = syms.length - 1;
    let hit = '(unknown)';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = syms[mid]!;
      if (a < s.start) hi = mid - 1;
      else if (a >= s.end) lo = mid + 1;
      else {
        hit = s.name;
        break;
      }
    }
    totals.set(hit, (totals.get(hit) ?? 0) + n);
  }
  return [...totals].map(([name, instructions]) => ({ name, instructions })).sort((a, b) => b.instructions - a.instructions || a.name.localeCompare(b.name, 'en'));
}

/** Address of a symbol in an ELF (via <prefix>nm -P), or undefined. */
async function symbolAddress(t: Target, elfPath: string, symbol: string): Promise<number | undefined> {
  const r = await execa(`${t.binutilsPrefix}nm`, ['-P', elfPath], { reject: false, timeout: 30_000 });
  if (r.exitCode !== 0) fail('MN403', `${t.binutilsPrefix}nm failed on ${elfPath}:\n${summarizeToolOutput(String(r.stderr))}`);
  for (const line of String(r.stdout).split('\n')) {
    const [name, , value] = line.trim().split(/\s+/);
    if (name === symbol && value) return parseInt(value, 16);
  }
  return undefined;
}

const PLUGIN_LINE = /^icount-plugin: (.*)$/;

interface PluginReport {
  total?: number;
  markTotals: number[];
  histogram: Record<string, number>;
  pcCounts: Map<number, number>;
}

function parsePluginOutput(stderr: string): { report: PluginReport; rest: string } {
  const report: PluginReport = { markTotals: [], histogram: {}, pcCounts: new Map() };
  const rest: string[] = [];
  for (const line of stderr.split('\n')) {
    const m = PLUGIN_LINE.exec(line);
    if (!m) {
      rest.push(line);
      continue;
    }
    const body = m[1]!;
    let g: RegExpExecArray | null;
    if ((g = /^mark \d+ total=(\d+) delta=\d+$/.exec(body))) report.markTotals.push(Number(g[1]));
    else if ((g = /^total insns=(\d+)$/.exec(body))) report.total = Number(g[1]);
    else if ((g = /^hist (\S+) (\d+)$/.exec(body))) report.histogram[g[1]!] = Number(g[2]);
    else if ((g = /^pc 0x([0-9a-f]+) (\d+)$/.exec(body))) report.pcCounts.set(parseInt(g[1]!, 16), Number(g[2]));
    else rest.push(line); // e.g. an argument error: keep it visible
  }
  return { report, rest: rest.join('\n') };
}

/**
 * Run a program built by buildProgram. Host programs run directly; Arm/RISC-V firmware runs under
 * qemu-system-* with semihosting (console on stdout, files relative to `cwd`, exit status propagated).
 * With countInstructions the run uses `-icount shift=0` and the icount plugin: `instructions` is the exact
 * total and `marks` the counts between consecutive mn_bench_mark() calls (identical from run to run).
 * The program is killed after timeoutMs (default 60 s) and MN403 is thrown; MN403 also when the program
 * or emulator cannot be started. A nonzero exit status of the program itself is returned, not thrown.
 */
export async function runProgram(target: Target | TargetName, elfPath: string, opts: RunOptions): Promise<RunResult> {
  const t = asTarget(target);
  const elf = resolvePath(elfPath);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
  if (!existsSync(elf)) fail('MN403', `${t.name}: program ${elf} does not exist`);
  if (!existsSync(opts.cwd)) fail('MN403', `${t.name}: working directory ${opts.cwd} does not exist`);
  if (t.buildOnly || (t.kind !== 'host' && !t.qemu)) fail('MN403', `${t.name} programs cannot be run here (build only)`);

  let cmd: string;
  let args: string[];
  const counting = t.kind !== 'host' && opts.countInstructions === true;
  if (t.kind === 'host') {
    cmd = elf;
    args = opts.args ?? [];
  } else {
    const q = t.qemu!;
    if (!which(q.binary)) fail('MN403', `cannot run ${t.name} programs: ${q.binary} is not installed`);
    cmd = q.binary;
    args = [
      '-M',
      q.machine,
      ...q.args,
      '-nographic',
      '-monitor',
      'none',
      '-serial',
      'none',
      '-chardev',
      'stdio,id=mnsh',
      '-semihosting-config',
      'enable=on,target=native,chardev=mnsh',
    ];
    if (counting) {
      const plugin = await ensureIcountPlugin();
      if (plugin.includes(',')) fail('MN403', `the QEMU plugin path must not contain a comma: ${plugin}`);
      const mark = await symbolAddress(t, elf, 'mn_bench_mark');
      const pluginArgs = [plugin];
      if (mark !== undefined) pluginArgs.push(`mark=0x${mark.toString(16)}`);
      if (opts.histogram) pluginArgs.push('hist=1');
      if (opts.pcProfile) pluginArgs.push('prof=1');
      args.push('-plugin', pluginArgs.join(','));
    }
    if (opts.icount ?? counting) args.push('-icount', 'shift=0');
    args.push('-kernel', elf);
  }

  const started = performance.now();
  const r = await execa(cmd, args, {
    cwd: opts.cwd,
    reject: false,
    timeout: timeoutMs,
    killSignal: 'SIGKILL', // QEMU exits with status 0 on SIGTERM; never let a hang look like success
    stdin: 'ignore',
    stripFinalNewline: false,
  });
  const wallMs = performance.now() - started;
  const stdout = String(r.stdout ?? '');
  const rawStderr = String(r.stderr ?? '');

  if (r.timedOut) {
    fail(
      'MN403',
      `${t.name}: ${opts.countInstructions ? 'counted ' : ''}run of ${elf} timed out after ${timeoutMs} ms` +
        (stdout ? `; output so far:\n${summarizeToolOutput(stdout)}` : ''),
    );
  }
  let exitCode: number;
  let signal: string | undefined;
  if (r.exitCode !== undefined) {
    exitCode = r.exitCode;
  } else if (r.signal) {
    signal = r.signal;
    exitCode = 128 + (osConstants.signals[r.signal as keyof typeof osConstants.signals] ?? 0);
  } else {
    fail('MN403', `${t.name}: cannot start ${cmd}: ${r.originalMessage ?? r.message}`);
  }
  if (t.kind !== 'host' && exitCode === 1 && /^qemu-system-[\w-]+: (?!warning)/m.test(rawStderr)) {
    fail('MN403', `${t.name}: ${cmd} failed:\n${summarizeToolOutput(rawStderr)}`);
  }

  const result: RunResult = { exitCode, stdout, stderr: rawStderr, wallMs, command: [cmd, ...args] };
  if (signal) result.signal = signal;
  if (counting) {
    const { report, rest } = parsePluginOutput(rawStderr);
    result.stderr = rest;
    if (report.total === undefined) {
      fail(
        'MN403',
        `${t.name}: the instruction-count plugin reported no total (exit ${exitCode}):\n${summarizeToolOutput(rawStderr)}`,
      );
    }
    result.instructions = report.total;
    result.markTotals = report.markTotals;
    result.marks = report.markTotals.slice(1).map((v, i) => v - report.markTotals[i]!);
    if (opts.histogram) result.histogram = report.histogram;
    if (opts.pcProfile) result.pcCounts = report.pcCounts;
  }
  return result;
}

const NON_ALLOC_SECTION =
  /^\.(comment|debug|zdebug|ARM\.attributes|riscv\.attributes|symtab|strtab|shstrtab|gnu_debuglink|GCC\.command\.line|stab)/;

/** Section sizes of a built program via <prefix>size: Berkeley text/data/bss plus every allocated section. */
export async function sizeOf(target: Target | TargetName, elfPath: string): Promise<SizeInfo> {
  const t = asTarget(target);
  const tool = `${t.binutilsPrefix}size`;
  const [berkeley, sysv] = await Promise.all([
    execa(tool, ['-B', '-d', elfPath], { reject: false, timeout: 30_000 }),
    execa(tool, ['-A', '-d', elfPath], { reject: false, timeout: 30_000 }),
  ]);
  for (const r of [berkeley, sysv]) {
    if (r.exitCode !== 0) {
      fail('MN403', `${tool} failed on ${elfPath}:\n${summarizeToolOutput(String(r.stderr ?? r.originalMessage ?? r.message))}`);
    }
  }
  const row = String(berkeley.stdout)
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find((f) => f.length >= 3 && /^\d+$/.test(f[0]!) && /^\d+$/.test(f[1]!) && /^\d+$/.test(f[2]!));
  if (!row) fail('MN403', `cannot parse the output of ${tool} -B:\n${summarizeToolOutput(String(berkeley.stdout))}`);
  const sections: Record<string, number> = {};
  for (const line of String(sysv.stdout).split('\n')) {
    const f = line.trim().split(/\s+/);
    // "name size addr"; the non-allocated sections size -A also lists are skipped
    if (f.length === 3 && f[0]!.startsWith('.') && /^\d+$/.test(f[1]!) && /^\d+$/.test(f[2]!)) {
      if (NON_ALLOC_SECTION.test(f[0]!)) continue;
      sections[f[0]!] = Number(f[1]);
    }
  }
  return { text: Number(row[0]), data: Number(row[1]), bss: Number(row[2]), sections };
}
