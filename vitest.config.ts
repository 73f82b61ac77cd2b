import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // End-to-end tests start real processes (Vigil, Alertmanager, Prometheus); give them room.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One PostgreSQL server for the run; each PostgreSQL test file makes its own database in it.
    globalSetup: ['test/setup/postgres-cluster.ts'],
    projects: [
      // Everything, on the embedded SQLite store (and the PostgreSQL store's own tests).
      { extends: true, test: { name: 'sqlite', include: ['test/**/*.test.ts'] } },
      // The HTTP suite again with every Vigil on PostgreSQL (npm run test:postgres runs only this).
      { extends: true, test: { name: 'postgres', include: ['test/http/**/*.test.ts'], env: { VIGIL_TEST_STORE: 'postgres' } } },
    ],
  },
});
