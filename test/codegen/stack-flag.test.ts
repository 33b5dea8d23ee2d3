/**
 * Worst-case stack in the reports: `mnetc compile --stack` adds stack_bytes to the JSON report (a build of the
 * module for the target with -fstack-usage / -fcallgraph-info), and gcc's `dynamic,bounded` frames count as
 * bounds (the number gcc gives is an upper bound).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { loadModelBytes } from '../../src/api/model.js';
import { compileGraph } from '../../src/codegen/index.js';
import { analyseStack, moduleStackReport } from '../../src/report/stack.js';
import { toolchainAvailable } from '../../src/targets/index.js';
import { tinyConvModel } from '../helpers/build-model.js';
import { repoRoot } from '../helpers/shared.js';

const cli = join(repoRoot, 'dist/src/cli/main.js');

describe('stack in the reports', () => {
  it('a dynamic,bounded frame is a bound, a dynamic one is not', () => {
    const su = (q: string) => `m.c:10:5:m_invoke\t48\t${q}`;
    const ci = 'graph: { title: "m.c"\nnode: { title: "m_invoke" label: "m_invoke\\nm.c:10:5\\n48 bytes (static)" }\n}';
    expect(analyseStack([su('dynamic,bounded')], [ci], 'm_invoke')).toMatchObject({ invokeBytes: 48, bounded: true });
    expect(analyseStack([su('dynamic')], [ci], 'm_invoke').bounded).toBe(false);
  });

  it.skipIf(!toolchainAvailable('host'))('moduleStackReport analyses a compiled module without writing it anywhere the caller sees', async () => {
    const mod = compileGraph(loadModelBytes(tinyConvModel({ extraOp: 'RELU' })), { name: 'tiny' });
    const r = await moduleStackReport('host', mod);
    expect(r.entry).toBe('tiny_invoke');
    expect(r.invokeBytes).toBeGreaterThan(0);
    expect(r.bounded).toBe(true);
  });

  it.skipIf(!toolchainAvailable('host'))('mnetc compile --stack puts stack_bytes into --report and the summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnetc-stackflag-'));
    try {
      const model = join(dir, 'tiny.tflite');
      writeFileSync(model, tinyConvModel());
      const r = await execa('node', [cli, 'compile', model, '-o', join(dir, 'out'), '--stack', '--report', join(dir, 'r.json')], { reject: false });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/stack_bytes: +\d+ \(worst case of tiny_invoke on host\)/);
      const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as { stack_bytes: number; stack_bounded: boolean };
      expect(report.stack_bytes).toBeGreaterThan(0);
      expect(report.stack_bounded).toBe(true);
      // without --stack nothing is built and the report has no stack_bytes
      const plain = await execa('node', [cli, 'compile', model, '-o', join(dir, 'out2'), '--json'], { reject: false });
      expect(JSON.parse(plain.stdout)).not.toHaveProperty('stack_bytes');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
