import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end tests start real processes (Vigil, Alertmanager, Prometheus); give them room.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One PostgreSQL server for the run; each PostgreSQL test file makes its own database in it.
    globalSetup: ['test/setup/postgres-cluster.ts'],
  },
});
