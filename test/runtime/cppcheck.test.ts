/**
 * Static analysis of the C runtime and of generated code with cppcheck (Debian package; the test skips
 * cleanly without it). Warnings and portability findings fail the test; a finding that is not a bug must be
 * silenced next to the code with a justified `// cppcheck-suppress <id>` comment (--inline-suppr).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/api/model.js';
import { compileGraph, writeModule } from '../../src/codegen/index.js';
import { which } from '../../src/targets/tools.js';
import { repoRoot } from '../helpers/shared.js';

const FLAGS = ['--error-exitcode=1', '--enable=warning,portability', '--std=c99', '--inline-suppr'];
const TEMPLATE = '--template={file}:{line}: {severity} {id}: {message}';

async function cppcheck(args: string[], cwd: string): Promise<{ exitCode: number; findings: string[] }> {
  const r = await execa('cppcheck', [...FLAGS, TEMPLATE, ...args], { cwd, reject: false, timeout: 300_000 });
  const findings = `${r.stderr}`.split('\n').filter((l) => /^\S+:\d+: \w+ \w+: /.test(l));
  return { exitCode: r.exitCode ?? -1, findings };
}

describe.skipIf(!which('cppcheck'))('cppcheck', () => {
  it('finds nothing in runtime-c/src', async () => {
    const r = await cppcheck(['-I', 'runtime-c/include', 'runtime-c/src'], repoRoot);
    expect(r.findings, r.findings.join('\n')).toEqual([]);
    expect(r.exitCode).toBe(0);
  }, 300_000);

  // MobileNetV3-small: the widest mix of kernels among the committed models (hard-swish, squeeze-and-excite
  // MUL, MEAN, streamed regions, softmax)
  for (const target of ['host', 'cortex-m4']) {
    it(`finds nothing in the module generated for a MobileNetV3 (${target} kernels)`, async () => {
      const graph = loadModel(join(repoRoot, 'test/fixtures/zoo/v3s_0.35_96_c3_top_i8.tflite'));
      const dir = mkdtempSync(join(tmpdir(), `mnetc-cppcheck-${target}-`));
      writeModule(compileGraph(graph, { name: 'v3s', target }), dir);
      const r = await cppcheck(['-I', '.', '.'], dir);
      expect(r.findings, r.findings.join('\n')).toEqual([]);
      expect(r.exitCode).toBe(0);
    }, 300_000);
  }
});
