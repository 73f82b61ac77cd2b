import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRuleSet } from '../../src/rules/ruleset.js';
import { ConfigError } from '../../src/files/yaml-file.js';
import { amWebhook, startVigil, tempDir, type TestVigil } from '../helpers/vigil.js';

let v: TestVigil;
afterEach(async () => v?.close());

const MIN = 60_000;
const repoRules = path.join(import.meta.dirname, '..', '..', 'rules');

const people = `people:
  - { id: ann, name: Ann, phone: "+15550100011", email: ann@example.com }
  - { id: ben, name: Ben, phone: "+15550100012", slack: U0BEN }
  - { id: cat, name: Cat, email: cat@example.com }
teams:
  - name: shop
    chat: "#shop"
    members: [ann, ben]
    roles: { management: [cat], owner: [cat] }
    escalation: shop
schedules:
  - name: shop-primary
    timeZone: Europe/Berlin
    layers:
      - name: weekly
        participants: [ann]
        rotation: { every: weekly, handoffDay: mon, handoff: "09:00", start: "2026-03-02" }
`;

const escalation = `escalation_policies:
  - name: shop
    repeat: 0
    tiers:
      - delay: 5m
        targets: [{ schedule: shop-primary }]
      - delay: 10m
        targets: [{ person: ben, channels: [sms] }, { team: shop }]
      - delay: 20m
        targets: [{ person: cat, channels: [email] }, { chat: "#incident-room" }]
  - name: straight-to-lead
    tiers:
      - delay: 1m
        targets: [{ person: ann, channels: [voice] }]
      - targets: [{ person: cat, channels: [email] }]
`;

const rules = `rules:
  - name: payments go straight to the lead
    match: 'service="payments"'
    set: { team: shop, policy: { escalation: straight-to-lead } }
  - name: shop
    match: 'team="shop"'
    set: { team: shop }
`;

function rulesDir(files: Record<string, string>): string {
  const dir = path.join(tempDir(), 'rules');
  mkdirSync(dir);
  copyFileSync(path.join(repoRules, '00-policies.yaml'), path.join(dir, '00-policies.yaml'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const fire = (t: TestVigil, labels: Record<string, string>) => t.post('/api/v1/alerts/alertmanager', amWebhook([{ labels: { severity: 'critical', ...labels } }]));
const events = async (t: TestVigil, id: number, kind: string) =>
  ((await t.json(`/api/v1/incidents/${id}`)).timeline as any[]).filter((e) => e.kind === kind).map((e) => e.message);
const escalations = async (t: TestVigil, id: number) =>
  ((await t.json(`/api/v1/notifications?incident=${id}`)).notifications as any[])
    .filter((n) => n.kind === 'escalation')
    .map((n) => `${n.channel}:${n.recipient.address}`)
    .sort();
const tickAt = async (t: TestVigil, start: number, minutes: number) => {
  t.clock.set(start + minutes * MIN);
  await t.vigil.scheduler.tick();
};

describe('escalation policies', () => {
  it('climbs the team policy tier by tier, each after its own delay, paging schedules, people and chat channels', async () => {
    const dir = rulesDir({ '20-people.yaml': people, '25-escalation.yaml': escalation, '50-rules.yaml': rules });
    v = await startVigil({ file: { rules: { dir } }, now: '2026-03-04T11:30:00Z' });
    const start = v.clock.now();
    expect((await fire(v, { alertname: 'CartDown', team: 'shop' })).status).toBe(202);
    // Tier 1 is the first page: the schedule's person holds the oncall role (voice + chat in the critical policy).
    const pages = ((await v.json('/api/v1/notifications?incident=1')).notifications as any[]).filter((n) => n.kind === 'page');
    expect(pages.map((n) => `${n.channel}:${n.recipient.person}`)).toEqual(expect.arrayContaining(['voice:ann', 'email:cat']));

    await tickAt(v, start, 4);
    expect(await events(v, 1, 'escalated')).toEqual([]);
    await tickAt(v, start, 5);
    expect(await events(v, 1, 'escalated')).toEqual(['escalated to tier 2 (Ben, #shop): nobody acknowledged within 5m']);
    expect(await escalations(v, 1)).toEqual(['chat:#shop', 'sms:+15550100012']);

    await tickAt(v, start, 14);
    expect(await events(v, 1, 'escalated')).toHaveLength(1);
    await tickAt(v, start, 15);
    expect((await events(v, 1, 'escalated'))[1]).toBe('escalated to tier 3 (Cat, #incident-room): nobody acknowledged within 10m');
    expect(await escalations(v, 1)).toEqual(['chat:#incident-room', 'chat:#shop', 'email:cat@example.com', 'sms:+15550100012']);

    await tickAt(v, start, 35);
    expect(await events(v, 1, 'escalation_exhausted')).toEqual(['nobody acknowledged within 20m; every tier has been paged']);
  });

  it('a rule can name another policy; a tier without a delay waits for nothing more', async () => {
    const dir = rulesDir({ '20-people.yaml': people, '25-escalation.yaml': escalation, '50-rules.yaml': rules });
    v = await startVigil({ file: { rules: { dir } }, now: '2026-03-04T11:30:00Z' });
    const start = v.clock.now();
    await fire(v, { alertname: 'PaymentsDown', service: 'payments' });
    await tickAt(v, start, 1);
    expect(await events(v, 1, 'escalated')).toEqual(['escalated to tier 2 (Cat): nobody acknowledged within 1m']);
    // The last tier has no delay of its own: the critical policy's ackSla (15m) applies.
    await tickAt(v, start, 15);
    expect(await events(v, 1, 'escalation_exhausted')).toEqual([]);
    await tickAt(v, start, 16);
    expect(await events(v, 1, 'escalation_exhausted')).toHaveLength(1);
  });

  it('an acknowledgement stops the climb', async () => {
    const dir = rulesDir({ '20-people.yaml': people, '25-escalation.yaml': escalation, '50-rules.yaml': rules });
    v = await startVigil({ file: { rules: { dir } }, now: '2026-03-04T11:30:00Z' });
    const start = v.clock.now();
    await fire(v, { alertname: 'CartDown', team: 'shop' });
    await tickAt(v, start, 5);
    v.clock.set(start + 6 * MIN);
    await v.post('/api/v1/incidents/1/acknowledge', { by: 'ben' });
    for (const m of [15, 35, 60]) await tickAt(v, start, m);
    expect(await events(v, 1, 'escalated')).toHaveLength(1);
    expect(await events(v, 1, 'escalation_exhausted')).toEqual([]);
  });

  it('names unknown policies, schedules, people and chat-less teams at load time', () => {
    const dir = rulesDir({
      '20-people.yaml': people.replace('escalation: shop', 'escalation: nope'),
      '25-escalation.yaml': `escalation_policies:
  - name: broken
    tiers:
      - targets: [{ schedule: missing }, { person: zed }, { team: ghost }]
      - delay: soon
        targets: [{ person: ann }]
`,
    });
    let problems: string[] = [];
    try {
      loadRuleSet(dir, {});
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    const text = problems.join('\n');
    expect(text).toMatch(/25-escalation\.yaml:\d+:\d+: escalation_policies\.0\.tiers\.1\.delay: invalid duration "soon"/);
    // Reference errors come once every file is valid: fix the duration and look again.
    writeFileSync(path.join(dir, '25-escalation.yaml'), `escalation_policies:
  - name: broken
    tiers:
      - targets: [{ schedule: missing }, { person: zed }, { team: ghost }]
`);
    try {
      loadRuleSet(dir, {});
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([
        expect.stringMatching(/20-people\.yaml:10:17: teams\.0\.escalation: unknown escalation policy "nope" \(known: broken\)$/),
        expect.stringMatching(/25-escalation\.yaml:4:31: escalation_policies\.0\.tiers\.0\.targets\.0\.schedule: unknown schedule "missing" \(known: shop-primary\)$/),
        expect.stringMatching(/25-escalation\.yaml:4:52: escalation_policies\.0\.tiers\.0\.targets\.1\.person: unknown person "zed" \(known: ann, ben, cat\)$/),
        expect.stringMatching(/25-escalation\.yaml:4:67: escalation_policies\.0\.tiers\.0\.targets\.2\.team: unknown team "ghost" \(known: shop\)$/),
      ]);
    }
  });
});
