import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { tokenCreate } from '../../src/cli/token.js';
import type { Sleep } from '../../src/runbooks/timing.js';
import { amWebhook, startVigil, tempDir, type TestVigil } from './vigil.js';

/** The API token the console tests configure (it signs in as the administrator). */
export const API_TOKEN = 'console-test-api-token';
export const AUTH = { authorization: `Bearer ${API_TOKEN}` };

export interface ConsoleVigil extends TestVigil {
  dbPath: string;
  /** A personal token for a person of the shipped rules, made the way people make them (`vigil token create`). */
  token(person: string): Promise<string>;
  /** Posts Alertmanager alerts (one webhook) and fails unless they are accepted. */
  fire(...alerts: { labels: Record<string, string>; annotations?: Record<string, string>; status?: 'firing' | 'resolved' }[]): Promise<void>;
  /** An incident as the API shows it. */
  incident(id: number): Promise<any>;
}

export async function startConsoleVigil(opts: { apiTokens?: string[]; file?: Record<string, unknown>; sleep?: Sleep } = {}): Promise<ConsoleVigil> {
  const dbPath = path.join(tempDir('vigil-console-'), 'vigil.db');
  const v = await startVigil({ dbPath, auth: { apiTokens: opts.apiTokens ?? [API_TOKEN] }, file: opts.file, sleep: opts.sleep });
  const closeVigil = v.close;
  return Object.assign(v, {
    dbPath,
    async token(person: string) {
      let printed = '';
      const code = await tokenCreate({ person }, { env: { VIGIL_DB: dbPath }, now: v.clock.now(), out: (t) => (printed += t), err: (t) => (printed += t) });
      if (code !== 0) throw new Error(`vigil token create --person ${person}: ${printed}`);
      return /(vigil_pat_\S+)/.exec(printed)![1]!;
    },
    async fire(...alerts: { labels: Record<string, string>; annotations?: Record<string, string>; status?: 'firing' | 'resolved' }[]) {
      const res = await v.post('/api/v1/alerts/alertmanager', amWebhook(alerts));
      if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
    },
    incident: (id: number) => v.json(`/api/v1/incidents/${id}`, AUTH),
    async close() {
      await closeVigil();
      rmSync(path.dirname(dbPath), { recursive: true, force: true });
    },
  });
}

/** Signs in through the sign-in page, as a person would, and waits for the board. */
export async function signIn(page: Page, v: TestVigil, token: string, path = '/'): Promise<void> {
  // The page's clock reads the test's: ages and SLA clocks are measured against Vigil's ManualClock.
  await page.clock.setFixedTime(v.clock.now());
  await page.goto(`${v.url}${path}`);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}
