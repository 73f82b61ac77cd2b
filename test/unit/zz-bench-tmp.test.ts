import { it } from 'vitest';
import { isWindowOpen, maintenanceWindowSchema, nextWindowChange } from '../../src/rules/maintenance.js';
it('bench', () => {
  const w = maintenanceWindowSchema.parse({ name: 'w', timeZone: 'Europe/Berlin', weekly: { days: ['sun'], start: '02:00', end: '04:00' } });
  const c = maintenanceWindowSchema.parse({ name: 'c', timeZone: 'Europe/Berlin', cron: '0 2 * * 0', duration: '2h' });
  const t0 = Date.parse('2026-03-10T00:00:00Z');
  for (const [label, fn] of [['weekly open', () => isWindowOpen(w, t0)], ['weekly next', () => nextWindowChange(w, t0)], ['cron open', () => isWindowOpen(c, t0)], ['cron next', () => nextWindowChange(c, t0)]] as const) {
    const s = performance.now(); for (let i = 0; i < 500; i++) fn(); console.log(label, ((performance.now() - s) / 500).toFixed(3), 'ms');
  }
});
