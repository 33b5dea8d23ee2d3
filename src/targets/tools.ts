/**
 * Locating things: the project's runtime-c/platform files, executables on PATH, toolchain files, and the
 * QEMU instruction-count plugin (built from tools/qemu-plugin/icount.c on first use).
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { fail } from '../diagnostics.js';

let rootCache: string | undefined;

/** The mnetc project directory (holds runtime-c/), found by walking up from this module (src/ or dist/src/). */
export function projectRoot(): string {
  if (rootCache) return rootCache;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'runtime-c', 'platform', 'mn_io.h'))) return (rootCache = dir);
    const up = dirname(dir);
    if (up === dir) fail('MN499', 'cannot find runtime-c/platform/mn_io.h above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** runtime-c/platform: mn_io.h, the I/O implementations, startup code and linker scripts */
export function platformDir(): string {
  return join(projectRoot(), 'runtime-c', 'platform');
}

const whichCache = new Map<string, string | null>();

/** Absolute path of an executable on PATH (or the path itself when it contains a slash), or null. */
export function which(cmd: string): string | null {
  const hit = whichCache.get(cmd);
  if (hit !== undefined) return hit;
  let found: string | null = null;
  const candidates = cmd.includes('/') ? [cmd] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, cmd));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      if (statSync(c).isFile()) {
        found = c;
        break;
      }
    } catch {
      /* not here */
    }
  }
  whichCache.set(cmd, found);
  return found;
}

const fileCache = new Map<string, boolean>();

/** Does `cc -print-file-name=<file>` resolve (gcc prints the bare name back when it cannot find it)? */
export function compilerFinds(cc: string, file: string): boolean {
  const key = `${cc}\0${file}`;
  const hit = fileCache.get(key);
  if (hit !== undefined) return hit;
  let ok = false;
  try {
    const out = execFileSync(cc, [`-print-file-name=${file}`], { encoding: 'utf8', timeout: 10_000 }).trim();
    ok = out !== file && existsSync(out);
  } catch {
    ok = false;
  }
  fileCache.set(key, ok);
  return ok;
}

// ---------------------------------------------------------------------------------------------------------
// QEMU instruction-count plugin

let pluginPromise: Promise<string> | undefined;

/** tools/qemu-plugin/icount.c (only in a source checkout) */
export function pluginSource(): string {
  return join(projectRoot(), 'tools', 'qemu-plugin', 'icount.c');
}

function pluginTargetPath(): string {
  const inRepo = join(projectRoot(), 'build', 'qemu-plugin');
  try {
    mkdirSync(inRepo, { recursive: true });
    accessSync(inRepo, constants.W_OK);
    return join(inRepo, 'icount.so');
  } catch {
    const fallback = join(tmpdir(), 'mnetc-qemu-plugin');
    mkdirSync(fallback, { recursive: true });
    return join(fallback, 'icount.so');
  }
}

/**
 * Path of the instruction-count plugin, compiling it with the host C compiler when it is missing or older
 * than its source. $MNETC_QEMU_PLUGIN overrides the path (no build then).
 */
export function ensureIcountPlugin(): Promise<string> {
  pluginPromise ??= buildPlugin().catch((e: unknown) => {
    pluginPromise = undefined; // let a later call retry
    throw e;
  });
  return pluginPromise;
}

async function buildPlugin(): Promise<string> {
  const override = process.env.MNETC_QEMU_PLUGIN;
  if (override) {
    if (!existsSync(override)) fail('MN403', `MNETC_QEMU_PLUGIN=${override} does not exist`);
    return override;
  }
  const src = pluginSource();
  const out = pluginTargetPath();
  const srcExists = existsSync(src);
  if (existsSync(out) && (!srcExists || statSync(out).mtimeMs >= statSync(src).mtimeMs)) return out;
  if (!srcExists) fail('MN403', `the QEMU plugin source ${src} is missing and no built plugin exists at ${out}`);
  const hostCc = which('gcc') ?? which('cc');
  if (!hostCc) fail('MN403', 'building the QEMU instruction-count plugin needs a host C compiler (gcc or cc)');
  // build next to the destination and rename, so concurrent builders never expose a half-written file
  const tmp = `${out}.${process.pid}.${Date.now()}.tmp`;
  const r = await execa(hostCc, ['-shared', '-fPIC', '-O2', '-Wall', '-Wextra', '-o', tmp, src], {
    reject: false,
    timeout: 60_000,
  });
  if (r.exitCode !== 0) {
    rmSync(tmp, { force: true });
    fail('MN403', `building the QEMU plugin failed:\n${summarizeToolOutput(String(r.stderr ?? r.message))}`);
  }
  renameSync(tmp, out);
  return out;
}

/**
 * The useful part of a tool's error output: error lines first (compiler errors, undefined references,
 * overflowing regions), else the tail; at most `maxLines` lines of at most 300 characters.
 */
export function summarizeToolOutput(text: string, maxLines = 12): string {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const important = lines.filter((l) =>
    /\berror\b|undefined reference|overflowed|multiple definition|cannot find|No such file|not found|fatal/i.test(l),
  );
  const chosen = important.length ? important : lines.slice(-maxLines);
  const clipped = chosen.slice(0, maxLines).map((l) => (l.length > 300 ? l.slice(0, 297) + '...' : l));
  const more = chosen.length > maxLines ? [`... (${chosen.length - maxLines} more)`] : [];
  return [...clipped, ...more].map((l) => '  ' + l).join('\n');
}
