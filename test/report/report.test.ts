/**
 * `mnetc report`: the HTML page for examples/digits/digits.tflite, checked as text and rendered in headless
 * Chromium (Debian's /usr/bin/chromium driven by playwright-core; skipped when it is missing).
 *
 * MNETC_UPDATE_SCREENSHOTS=1 also writes the screenshot the README shows (docs/report-digits.png).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/api/model.js';
import { registerReportCommand } from '../../src/cli/report-command.js';
import { compileGraph } from '../../src/codegen/index.js';
import { inspectGraph } from '../../src/ir/inspect.js';
import { barChart, escapeHtml, niceCeil, reportData, reportHtml, shortNumber } from '../../src/report/report.js';
import { repoRoot } from '../helpers/shared.js';

const model = join(repoRoot, 'examples/digits/digits.tflite');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const playwright = await import('playwright-core').catch(() => null);
const haveChromium = existsSync(CHROMIUM) && playwright !== null;

describe('report page (text)', () => {
  it('helpers: escaping, axis maxima, short numbers, bars', () => {
    expect(escapeHtml(`a<b & "c" 'd'>`)).toBe('a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;');
    expect([0, 1, 3, 7, 10, 11, 180_000, 1_122_864].map(niceCeil)).toEqual([1, 1, 5, 10, 10, 20, 200_000, 2_000_000]);
    expect(shortNumber(150_000)).toBe('150k');
    expect(shortNumber(1_122_864)).toBe('1.12M');
    const c = barChart([{ title: 'a', value: 10, cls: 'conv' }, { title: 'b', value: 0, cls: 'other' }, { title: 'c', value: 5, cls: 'dw' }]);
    expect(c.bars).toHaveLength(3);
    expect(Number(c.bars[0]!.h)).toBeCloseTo(c.plotBottom - c.plotTop, 5); // max 10 -> axis 10
    expect(Number(c.bars[1]!.h)).toBe(0);
    expect(Number(c.bars[2]!.h)).toBeCloseTo((c.plotBottom - c.plotTop) / 2, 5);
    expect(c.yTicks.at(-1)!.label).toBe('10');
  });

  it('is one self-contained page with the summary, one table row and one bar per layer, and the map', () => {
    const graph = loadModel(model);
    const mod = compileGraph(graph, { modelFile: model });
    const html = reportHtml(graph, mod, { modelFile: model });
    const layers = inspectGraph(graph).totals.layers;
    expect(html).toContain('<title>mnetc report: digits.tflite</title>');
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(|https?:\/\//i);
    expect(html.match(/<tr class="op-/g)).toHaveLength(layers);
    expect(html.match(/<rect class="bar /g)).toHaveLength(2 * layers);
    expect(html).toContain(`id="arena-bytes">${mod.report.arena_bytes.toLocaleString('en-US')} B<`);
    expect(html).toContain(mod.report.arena_bytes_layer.toLocaleString('en-US'));
    const d = reportData(graph, mod, { modelFile: model });
    expect(d.map.boxes.length).toBeGreaterThan(0);
    expect(d.inputs[0]!.shape).toBe('1×32×32×1');
    expect(d.outputs[0]!.shape).toBe('1×10');
  });

  it('is written by the report command', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'mnetc-report-')), 'r.html');
    const program = new Command().exitOverride();
    registerReportCommand(program);
    const log: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string) => (log.push(String(s)), true)) as typeof process.stdout.write;
    try {
      await program.parseAsync(['report', model, '-o', out, '--memory-plan', 'layer'], { from: 'user' });
    } finally {
      process.stdout.write = write;
    }
    expect(log.join('')).toMatch(/^wrote .*r\.html \(67 layers, 1,122,864 MACs, arena 15,360 B with the layer plan\)/);
    expect(readFileSync(out, 'utf8')).toContain('Arena over time (layer plan');
  });
});

describe.skipIf(!haveChromium)('report page in headless Chromium', () => {
  let file = '';
  let arenaText = '';
  let layerCount = 0;
  beforeAll(async () => {
    const graph = loadModel(model);
    const mod = compileGraph(graph, { modelFile: model });
    file = join(mkdtempSync(join(tmpdir(), 'mnetc-report-')), 'report.html');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, reportHtml(graph, mod, { modelFile: model }));
    arenaText = `${mod.report.arena_bytes.toLocaleString('en-US')} B`;
    layerCount = inspectGraph(graph).totals.layers;
  });

  it('renders the title, the layer table, both bar charts, the memory map and the arena, fetching nothing', async () => {
    const browser = await playwright!.chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1040, height: 1400 } });
      const fetched: string[] = [];
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:')) return route.continue();
        fetched.push(url);
        return route.abort();
      });
      await page.goto(pathToFileURL(file).href);
      expect(await page.title()).toBe('mnetc report: digits.tflite');
      expect(await page.locator('h1').textContent()).toBe('digits.tflite');
      expect(await page.locator('#layers tbody tr').count()).toBe(layerCount);
      expect((await page.locator('#arena-bytes').textContent())?.trim()).toBe(arenaText);
      for (const id of ['#macs-chart', '#weights-chart', '#memory-map']) {
        const box = await page.locator(id).boundingBox();
        expect(box, id).not.toBeNull();
        expect(box!.width).toBeGreaterThan(500);
        expect(box!.height).toBeGreaterThan(100);
      }
      expect(await page.locator('#macs-chart rect.bar').count()).toBe(layerCount);
      expect(await page.locator('#weights-chart rect.bar').count()).toBe(layerCount);
      expect(await page.locator('#memory-map rect.box').count()).toBeGreaterThan(10);
      // the biggest bar of the MACs chart is drawn (non-zero height on screen)
      const heights = await page.locator('#macs-chart rect.bar').evaluateAll((rs) => rs.map((r) => r.getBoundingClientRect().height));
      expect(Math.max(...heights)).toBeGreaterThan(50);
      expect(fetched).toEqual([]);

      // screenshot of the top of the page (summary, charts, memory map)
      const map = (await page.locator('#memory-map').boundingBox())!;
      const shot = process.env.MNETC_UPDATE_SCREENSHOTS ? join(repoRoot, 'docs/report-digits.png') : join(tmpdir(), `mnetc-report-digits-${process.pid}.png`);
      await page.screenshot({ path: shot, fullPage: true, clip: { x: 0, y: 0, width: 1040, height: Math.ceil(map.y + map.height + 16) } });
      expect(statSync(shot).size).toBeLessThan(300 * 1024);
      if (!process.env.MNETC_UPDATE_SCREENSHOTS) rmSync(shot);
    } finally {
      await browser.close();
    }
  });
});
