/** Prometheus-style durations: "30s", "5m", "1h30m", "2d", "500ms". Strict: anything else is an error. */
const unitMs: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const whole = /^(?:\d+(?:ms|s|m|h|d|w))+$/;
const part = /(\d+)(ms|s|m|h|d|w)/g;

export function parseDuration(text: string): number | null {
  const s = text.trim();
  if (!whole.test(s)) return null;
  let total = 0;
  for (const [, n, unit] of s.matchAll(part)) total += Number(n) * unitMs[unit as string]!;
  return total;
}

export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const out: string[] = [];
  let rest = ms;
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    if (rest >= size) {
      out.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return out.join('');
}

/** formatDuration in a reader's language: 1h30m, 1小时30分钟. */
export function formatDurationIn(ms: number, locale: 'en' | 'zh-CN'): string {
  if (locale === 'en') return formatDuration(ms);
  const names: Record<string, string> = { d: '天', h: '小时', m: '分钟', s: '秒', ms: '毫秒' };
  return formatDuration(ms).replace(/(\d+)(ms|d|h|m|s)/g, (_, n: string, unit: string) => `${n}${names[unit]}`);
}

/** A duration as a person says it in a title: "45 s", "12 min", "2.5 h", "26 h", "3 d" (rounded to the unit; half hours under 10 h). */
export function roughDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 10 * 3600) return `${Math.round(s / 1800) / 2} h`;
  if (s < 48 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}
