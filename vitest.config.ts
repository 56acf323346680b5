import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // the renderer's component tests import .vue files
  plugins: [vue()],
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // integration tests open real sockets and SQLite files; two cores, so two workers
    maxWorkers: 2,
  },
});
