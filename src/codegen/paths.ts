/** Where mnetc's own files (templates/, runtime-c/) are, whether run from dist/ or from src/ under vitest. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && existsSync(join(dir, 'templates'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the mnetc package root (templates/ missing)');
    dir = up;
  }
}

export const packageRoot = findRoot();
export const runtimeDir = join(packageRoot, 'runtime-c');
export const VERSION: string = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
