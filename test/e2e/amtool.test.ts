import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, spawnVigil, type RunningVigil } from '../helpers/process.js';
import { INGEST_TOKEN, makeTempDir, removeDir, requireBinary, stopChild, writeYaml } from './support.js';

const AMTOOL = '/usr/bin/amtool';
const SUITE = 'end-to-end: amtool 0.25 queries alerts and adds, lists and expires silences in Vigil as in Alertmanager';
const installed = requireBinary(AMTOOL, 'prometheus-alertmanager', SUITE);
const API_TOKEN = 'amtool-api-token';
const run = promisify(execFile);

describe.skipIf(!installed)(SUITE, () => {
  let dir: string | undefined;
  let vigil: RunningVigil;
  let httpConfig: string;

  /** amtool against Vigil, signed in with the API token through amtool's own HTTP client configuration. */
  async function amtool(...args: string[]): Promise<string> {
    const { stdout } = await run(AMTOOL, [`--alertmanager.url=${vigil.url}`, `--http.config.file=${httpConfig}`, ...args], { timeout: 20_000 });
    return stdout;
  }
  const json = async <T>(...args: string[]) => JSON.parse(await amtool(...args, '-o', 'json')) as T;
  type Alert = { labels: Record<string, string>; status: { state: string; silencedBy: string[] }; receivers: { name: string }[] };
  type Silence = { id: string; status: { state: string }; matchers: { name: string; value: string; isRegex: boolean; isEqual: boolean }[]; createdBy: string; comment: string };

  beforeAll(async () => {
    dir = makeTempDir('vigil-e2e-amtool-');
    const config = writeYaml(path.join(dir, 'vigil.yaml'), { server: { host: '127.0.0.1' } });
    vigil = await spawnVigil({ VIGIL_CONFIG: config, VIGIL_DB: path.join(dir, 'vigil.db'), VIGIL_INGEST_TOKEN: INGEST_TOKEN, VIGIL_API_TOKEN: API_TOKEN }, await freePort());
    httpConfig = writeYaml(path.join(dir, 'amtool-http.yml'), { authorization: { type: 'Bearer', credentials: API_TOKEN } });
    // The alerts, as Prometheus posts them to Alertmanager's API.
    const alerts = [
      { labels: { alertname: 'DiskFull', instance: 'db-1', service: 'db', team: 'platform', severity: 'warning' }, annotations: { summary: 'Disk 95% full on db-1' } },
      { labels: { alertname: 'HighCPU', instance: 'web-1', service: 'web', severity: 'warning' }, annotations: { summary: 'CPU 97% on web-1' } },
    ];
    const res = await fetch(`${vigil.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST_TOKEN}` },
      body: JSON.stringify(alerts.map((a) => ({ ...a, startsAt: new Date(Date.now() - 60_000).toISOString() }))),
    });
    expect(res.status, await res.text()).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await stopChild(vigil?.child);
    removeDir(dir);
  });

  it('amtool alert query lists the firing alerts, and filters them by matchers', async () => {
    const all = await json<Alert[]>('alert', 'query');
    expect(all.map((a) => a.labels.alertname).sort()).toEqual(['DiskFull', 'HighCPU']);
    expect(all.every((a) => a.status.state === 'active')).toBe(true);
    const disk = await json<Alert[]>('alert', 'query', 'alertname=DiskFull');
    expect(disk).toHaveLength(1);
    expect(disk[0]!.labels.instance).toBe('db-1');
    expect(await json<Alert[]>('alert', 'query', 'service=~"d.*"')).toHaveLength(1);
    // The table amtool prints for people.
    expect(await amtool('alert', 'query', 'alertname=HighCPU')).toMatch(/HighCPU\s.*CPU 97% on web-1/);
  });

  it('silence add, query and expire work, and a silenced alert is shown as silenced', async () => {
    const id = (await amtool('silence', 'add', 'alertname=DiskFull', 'instance=~"db-.*"', '--duration=2h', '--comment=disk replacement', '--author=ops')).trim();
    expect(id).toMatch(/^[0-9a-f-]{8,}$/);

    const silences = await json<Silence[]>('silence', 'query');
    const mine = silences.find((s) => s.id === id)!;
    expect(mine.status.state).toBe('active');
    expect(mine.comment).toBe('disk replacement');
    expect(mine.matchers).toEqual([
      { name: 'alertname', value: 'DiskFull', isRegex: false, isEqual: true },
      { name: 'instance', value: 'db-.*', isRegex: true, isEqual: true },
    ]);
    expect((await json<Silence[]>('silence', 'query', 'alertname=DiskFull')).map((s) => s.id)).toEqual([id]);
    expect(await json<Silence[]>('silence', 'query', 'alertname=Other')).toEqual([]);
    // Alertmanager's filter reads a silence as the labels its equality matchers name: a regex filter finds it too.
    expect((await json<Silence[]>('silence', 'query', 'alertname=~"Disk.*"')).map((s) => s.id)).toEqual([id]);

    // Hidden by default, shown with --silenced, as Alertmanager does.
    expect((await json<Alert[]>('alert', 'query')).map((a) => a.labels.alertname)).toEqual(['HighCPU']);
    const shown = await json<Alert[]>('alert', 'query', '--silenced', 'alertname=DiskFull');
    expect(shown[0]!.status).toMatchObject({ state: 'suppressed', silencedBy: [id] });

    await amtool('silence', 'expire', id);
    expect((await json<Silence[]>('silence', 'query')).map((s) => s.id)).not.toContain(id);
    expect((await json<Silence[]>('silence', 'query', '--expired')).find((s) => s.id === id)!.status.state).toBe('expired');
    expect((await json<Alert[]>('alert', 'query')).map((a) => a.labels.alertname).sort()).toEqual(['DiskFull', 'HighCPU']);
  });

  it('without the token amtool is refused and says so', async () => {
    const refused = run(AMTOOL, [`--alertmanager.url=${vigil.url}`, 'alert', 'query'], { timeout: 20_000 });
    await expect(refused).rejects.toMatchObject({ code: 1 });
  });
});
