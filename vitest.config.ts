import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // the machine has two cores; C builds and QEMU runs inside tests use them too
    maxWorkers: 2,
    reporters: ['default'],
  },
});
