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
      // The HTTP suite, and the process suites that crash and restart Vigil, again with every Vigil on
      // PostgreSQL (npm run test:postgres runs only this).
      {
        extends: true,
        test: {
          name: 'postgres',
          include: ['test/http/**/*.test.ts', 'test/process/durability.test.ts', 'test/process/notify-crash.test.ts', 'test/process/escalation-e2e.test.ts'],
          env: { VIGIL_TEST_STORE: 'postgres' },
        },
      },
    ],
  },
});
