import { resolve } from 'node:path';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

// The developer console: its own page, served by the server at /console/ from out/console.
export default defineConfig({
  root: resolve(import.meta.dirname, 'console'),
  base: '/console/',
  plugins: [vue()],
  build: {
    outDir: resolve(import.meta.dirname, 'out/console'),
    emptyOutDir: true,
    // no inline script or style may reach the page: its CSP refuses them
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
