import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Brings up (or reuses) local Redis and FerretDB when MONGODB_URI / REDIS_URL are unset, so a
    // plain `npx vitest` works too. Tests read the URLs from process.env (set before the workers
    // fork) or, equivalently, inject('services').
    globalSetup: ['test/global-setup.ts'],
  },
});
