import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [react()],
  build: {
    outDir: here('../dist/web'),
    emptyOutDir: true,
    // The page's CSP allows no inline script, and the polyfill is one.
    modulePreload: { polyfill: false },
    // Small assets inlined as data: URLs would be fine under the CSP, but keep every asset a file.
    assetsInlineLimit: 0,
  },
});
