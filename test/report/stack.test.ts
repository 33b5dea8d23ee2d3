/**
 * Bounded stack: the worst-case stack of the generated NAME_invoke on Cortex-M4, from gcc's -fstack-usage
 * frames and -fcallgraph-info call graph (src/report/stack.ts).
 *
 * Measured for person_detect (../shared) or, without it, a committed zoo model:
 *   - with the reference kernels (the portable C every target can use): below 1 KiB;
 *   - with the Cortex-M4 default kernels (reference + Arm DSP variants): below the 16 KiB the firmware
 *     reserves for the stack (DEFAULT_STACK_BYTES). The DSP 1x1 convolution keeps a ~6.4 KB buffer on the
 *     stack, which dominates.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/api/model.js';
import { compileGraph, writeModule } from '../../src/codegen/index.js';
import { analyseStack, formatStackPath, LEAF_ALLOWANCE, ASM_FRAME_ALLOWANCE, stackReport } from '../../src/report/stack.js';
import { DEFAULT_STACK_BYTES, toolchainAvailable } from '../../src/targets/index.js';
import { repoRoot, sharedDir } from '../helpers/shared.js';

const person = join(sharedDir, 'models/person_detect.tflite');
const model = existsSync(person) ? person : join(repoRoot, 'test/fixtures/zoo/v2_0.35_96_c1_top_i8.tflite');
const REFERENCE_BOUND = 1024;

describe('stack analysis (parsing)', () => {
  const su = ['m.c:10:5:m_invoke\t8\tstatic', 'm.c:20:13:helper\t40\tstatic', 'k.c:3:6:kernel\t100\tstatic', 'k.c:9:6:leaf\t16\tstatic'].join('\n');
  const ci = (extra = '') => `graph: { title: "m.c"
node: { title: "m_invoke" label: "m_invoke\\nm.c:10:5\\n8 bytes (static)" }
node: { title: "m.c:helper" label: "helper\\nm.c:20:13\\n40 bytes (static)" }
node: { title: "kernel" label: "kernel\\nk.h:1:6" shape : ellipse }
node: { title: "memcpy" label: "__builtin_memcpy\\n<built-in>" shape : ellipse }
edge: { sourcename: "m_invoke" targetname: "m.c:helper" label: "m.c:11:3" }
edge: { sourcename: "m_invoke" targetname: "kernel" label: "m.c:12:3" }
edge: { sourcename: "m.c:helper" targetname: "memcpy" label: "m.c:21:3" }
${extra}}
graph: { title: "k.c"
node: { title: "kernel" label: "kernel\\nk.c:3:6\\n100 bytes (static)" }
node: { title: "leaf" label: "leaf\\nk.c:9:6\\n16 bytes (static)" }
edge: { sourcename: "kernel" targetname: "leaf" label: "k.c:4:3" }
}`;

  it('takes the deepest chain of frames across translation units', () => {
    const r = analyseStack([su], [ci()], 'm_invoke');
    expect(r.invokeBytes).toBe(8 + 100 + 16);
    expect(r.path).toEqual(['m_invoke', 'kernel', 'leaf']);
    // memcpy has no stack data: counted with the leaf allowance
    expect(r.perFunction['m.c:helper']!.worst).toBe(40 + LEAF_ALLOWANCE);
    expect(r.leaves).toEqual(['memcpy']);
    expect(r.unknown).toEqual([]);
    expect(r.bounded).toBe(true);
  });

  it('charges naked asm loops of optimised kernel files (0-byte leaves) the asm frame allowance', () => {
    const dsp = (file: string) => su.replace('k.c:9:6:leaf\t16', `${file}:9:6:leaf\t0`);
    const graph = (file: string) => ci().replace('leaf\\nk.c:9:6\\n16 bytes', `leaf\\n${file}:9:6\\n0 bytes`);
    expect(analyseStack([dsp('k_dsp.c')], [graph('k_dsp.c')], 'm_invoke').perFunction.kernel!.worst).toBe(100 + ASM_FRAME_ALLOWANCE);
    expect(analyseStack([dsp('k.c')], [graph('k.c')], 'm_invoke').perFunction.kernel!.worst).toBe(100); // plain C: gcc's 0 is right
  });

  it('reports recursion, dynamic frames and unknown callees as unbounded', () => {
    expect(analyseStack([su], [ci('edge: { sourcename: "m.c:helper" targetname: "m_invoke" label: "x" }\n')], 'm_invoke').bounded).toBe(false);
    expect(analyseStack([su.replace('40\tstatic', '40\tdynamic')], [ci()], 'm_invoke').bounded).toBe(false);
    expect(analyseStack([su], [ci('edge: { sourcename: "m.c:helper" targetname: "mystery" label: "x" }\n')], 'm_invoke').bounded).toBe(false);
  });
});

describe.skipIf(!toolchainAvailable('cortex-m4'))('worst-case stack of NAME_invoke on Cortex-M4', () => {
  const graph = loadModel(model);

  it(`is below ${REFERENCE_BOUND} bytes with the reference kernels`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnetc-stack-ref-'));
    writeModule(compileGraph(graph, { name: 'model', target: 'host' }), dir);
    const r = await stackReport('cortex-m4', dir);
    process.stdout.write(`stack (cortex-m4, reference kernels, ${model.split('/').pop()}): ${r.invokeBytes} B: ${formatStackPath(r)}\n`);
    expect(r.bounded).toBe(true);
    expect(r.invokeBytes).toBeGreaterThan(0);
    expect(r.invokeBytes).toBeLessThan(REFERENCE_BOUND);
  }, 300_000);

  it('fits the stack the firmware reserves with the Cortex-M4 kernels (reference + DSP)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnetc-stack-m4-'));
    writeModule(compileGraph(graph, { name: 'model', target: 'cortex-m4' }), dir);
    const r = await stackReport('cortex-m4', dir);
    const big = Object.entries(r.perFunction).filter(([, f]) => f.self > 512).map(([n, f]) => `${n} ${f.self} B`);
    process.stdout.write(`stack (cortex-m4, default kernels): ${r.invokeBytes} B: ${formatStackPath(r)}${big.length ? `; frames over 512 B: ${big.join(', ')}` : ''}\n`);
    expect(r.unknown, 'kernels called but not part of the module (the firmware would not link)').toEqual([]);
    expect(r.bounded).toBe(true);
    expect(r.invokeBytes).toBeLessThan(DEFAULT_STACK_BYTES);
  }, 300_000);
});
