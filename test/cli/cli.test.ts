import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/shared.js';
import { tinyConvModel } from '../helpers/build-model.js';
import { canRun } from '../../src/targets/index.js';

const cli = join(repoRoot, 'dist/src/cli/main.js');
const run = (args: string[], cwd?: string) => execa('node', [cli, ...args], { reject: false, cwd });
let dir = '';
let model = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mnetc-cli-'));
  model = join(dir, 'tiny.tflite');
  writeFileSync(model, tinyConvModel());
});

describe('mnetc CLI', () => {
  it('prints help with examples and exits 0', async () => {
    const r = await run(['compile', '--help']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Examples:');
  });

  it('inspects a model as a table and as JSON', async () => {
    const t = await run(['inspect', model]);
    expect(t.exitCode).toBe(0);
    expect(t.stdout).toContain('CONV_2D');
    expect(t.stdout).toMatch(/total: 1 layers, 1,728 MACs/);
    const j = await run(['inspect', model, '--json']);
    const report = JSON.parse(j.stdout);
    expect(report.totals.macs).toBe(4 * 4 * 4 * 27);
    expect(report.layers[0].op).toBe('CONV_2D');
  });

  it('runs the reference and rejects an input of the wrong size with the size expected', async () => {
    const input = join(dir, 'in.bin');
    writeFileSync(input, new Uint8Array(8 * 8 * 3).fill(5));
    const ok = await run(['run', model, '--input', input, '--output', join(dir, 'out.bin')]);
    expect(ok.exitCode).toBe(0);
    expect(readFileSync(join(dir, 'out.bin')).length).toBe(64);
    writeFileSync(input, new Uint8Array(10));
    const bad = await run(['run', model, '--input', input, '--output', join(dir, 'out.bin')]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain('MN401');
    expect(bad.stderr).toContain('needs exactly 192');
    expect(bad.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('names every unsupported operator at once and exits 2', async () => {
    const m = join(dir, 'unsupported.tflite');
    writeFileSync(m, tinyConvModel({ extraOp: 'FLOOR' }));
    const r = await run(['inspect', m]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('MN300');
    expect(r.stderr).toContain('FLOOR');
  });

  it('rejects float models with a clear message', async () => {
    const m = join(dir, 'float.tflite');
    writeFileSync(m, tinyConvModel({ inputDtype: 'float32' }));
    const r = await run(['inspect', m]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/MN301.*float/);
  });

  it('gives a one-line diagnostic for a truncated file', async () => {
    const m = join(dir, 'trunc.tflite');
    writeFileSync(m, tinyConvModel().subarray(0, 100));
    const r = await run(['inspect', m]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/MN10[0-9]/);
  });

  it('compiles a module, and does not overwrite files it did not write', async () => {
    const out = join(dir, 'mod');
    const r = await run(['compile', model, '-o', out, '--name', 'tiny', '--report', join(dir, 'report.json')]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/arena_bytes: +[0-9,]+/);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(readFileSync(join(out, 'tiny.h'), 'utf8')).toContain(`#define TINY_ARENA_BYTES ${report.arena_bytes}u`);
    // recompiling over our own files is fine
    expect((await run(['compile', model, '-o', out, '--name', 'tiny'])).exitCode).toBe(0);
    // a user's file with the same name is not overwritten without --force
    mkdirSync(join(dir, 'user'), { recursive: true });
    writeFileSync(join(dir, 'user', 'tiny.c'), '/* my own code */\n');
    const refused = await run(['compile', model, '-o', join(dir, 'user'), '--name', 'tiny']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('MN404');
    expect(readFileSync(join(dir, 'user', 'tiny.c'), 'utf8')).toBe('/* my own code */\n');
  });

  it('runs the golden test against the host C build', async () => {
    const r = await run(['test', model, '--engine', 'host', '--cases', '3']);
    expect(r.stdout).toContain('3 passed, 0 failed');
    expect(r.exitCode).toBe(0);
  });

  it('--input-rows: compile reports it, test and plan take it', async () => {
    const digits = join(repoRoot, 'examples/digits/digits.tflite');
    const c = await run(['compile', digits, '-o', join(dir, 'rows'), '--input-rows']);
    expect(c.exitCode).toBe(0);
    expect(c.stdout).toMatch(/arena_bytes: +[\d,]+ .*input delivered row by row by the caller/);
    expect(readFileSync(join(dir, 'rows', 'digits.h'), 'utf8')).toContain('digits_read_row_fn read_row');
    const t = await run(['test', digits, '--engine', 'host', '--cases', '1', '--input-rows']);
    expect(t.stdout).toContain('1 passed, 0 failed');
    const p = await run(['plan', digits, '--input-rows', '--json']);
    const plain = await run(['plan', digits, '--json']);
    expect(JSON.parse(p.stdout).arena_bytes).toBeLessThan(JSON.parse(plain.stdout).arena_bytes);
  });

  it('plan --target: the plan of the module compiled for that target (Arm DSP rings carry halos)', async () => {
    const digits = join(repoRoot, 'examples/digits/digits.tflite');
    const host = JSON.parse((await run(['plan', digits, '--json'])).stdout);
    const m4 = JSON.parse((await run(['plan', digits, '--json', '--target', 'cortex-m4'])).stdout);
    expect(m4.arena_bytes).toBeGreaterThan(host.arena_bytes);
    const c = await run(['compile', digits, '-o', join(dir, 'm4'), '--target', 'cortex-m4', '--json']);
    expect(JSON.parse(c.stdout).arena_bytes).toBe(m4.arena_bytes);
  });

  it.skipIf(!canRun('cortex-m4'))('bench --functions: instructions per C function of the run', async () => {
    const digits = join(repoRoot, 'examples/digits/digits.tflite');
    const b = await run(['bench', digits, '--target', 'cortex-m4', '--functions']);
    expect(b.exitCode).toBe(0);
    expect(b.stdout).toMatch(/instructions per function \(whole run/);
    expect(b.stdout).toMatch(/\n(blk_[a-z_]+|d3p?_run_s[12][a-z_]*|mn_[a-z0-9_]+) +[\d,]+ +[\d.]+%/);
    const j = JSON.parse((await run(['bench', digits, '--target', 'cortex-m4', '--functions', '--json'])).stdout);
    const all = j.functions.reduce((a: number, f: { instructions: number }) => a + f.instructions, 0);
    // the whole run (boot and file I/O too) contains the inference
    expect(all).toBeGreaterThan(j.instructions);
    expect(j.functions.some((f: { name: string }) => /_invoke/.test(f.name))).toBe(true);
  }, 120_000);
});
