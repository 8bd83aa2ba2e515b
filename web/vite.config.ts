// The dashboard's build: one HTML page, its script and its styles, with hashed
// names under assets/ so that the daemon may let browsers keep them for good.
// Everything is bundled (uPlot included): the page loads nothing from another
// origin and works offline.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  base: '/',
  build: {
    outDir: process.env.MULLET_WEB_OUT ?? 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2020',
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
