// Regenerates the README's memory-map pictures (docs/memory-map-mbv2*.png) from `mnetc plan --html`, rendered
// by headless Chromium (Debian's /usr/bin/chromium through playwright-core). Needs ../shared/models and a build:
//   npm run build && node tools/docs-images.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const model = resolve(root, '../shared/models/mobilenet_v2_1.0_224_ptq_uint8io.tflite');
const cli = join(root, 'dist/src/cli/main.js');
const tmp = mkdtempSync(join(tmpdir(), 'mnetc-docs-'));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  for (const [png, flags] of [['memory-map-mbv2.png', []], ['memory-map-mbv2-rows.png', ['--input-rows']]]) {
    const html = join(tmp, `${png}.html`);
    execFileSync(process.execPath, [cli, 'plan', model, '--html', html, ...flags], { stdio: 'ignore' });
    const page = await browser.newPage({ viewport: { width: 1000, height: 600 } });
    await page.goto(pathToFileURL(html).href);
    await page.screenshot({ path: join(root, 'docs', png) });
    await page.close();
    process.stdout.write(`wrote docs/${png}\n`);
  }
} finally {
  await browser.close();
  rmSync(tmp, { recursive: true, force: true });
}
