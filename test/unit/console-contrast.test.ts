import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The console's colours pass WCAG AA: 4.5:1 for text (badges, links, muted text, the banner) and 3:1 for the
 * severity marks next to the background, in the light scheme and in the dark one.
 */
const css = readFileSync(path.join(import.meta.dirname, '..', '..', 'src', 'console', 'web', 'console.css'), 'utf8');

function variables(block: string): Record<string, string> {
  return Object.fromEntries([...block.matchAll(/--([\w-]+):\s*(#[0-9a-fA-F]{6})/g)].map((m) => [m[1]!, m[2]!]));
}

const light = variables(/:root\s*\{([^}]*)\}/.exec(css)![1]!);
const dark = { ...light, ...variables(/@media \(prefers-color-scheme: dark\)\s*\{\s*:root\s*\{([^}]*)\}/.exec(css)![1]!) };

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

const text: [string, string][] = [
  ['fg', 'bg'],
  ['fg', 'surface'],
  ['muted', 'bg'],
  ['muted', 'surface'],
  ['link', 'bg'],
  ['link', 'surface'],
  ['primary-fg', 'primary-bg'],
  ['critical-fg', 'critical'],
  ['warning-fg', 'warning'],
  ['reminder-fg', 'reminder'],
  ['info-fg', 'info'],
  ['triggered-fg', 'triggered-bg'],
  ['acknowledged-fg', 'acknowledged-bg'],
  ['resolved-fg', 'resolved-bg'],
  ['missed', 'bg'],
  ['missed', 'surface'],
  ['met', 'bg'],
  ['met', 'surface'],
  ['banner-fg', 'banner-bg'],
];
const marks: [string, string][] = [
  ['critical', 'bg'],
  ['warning-mark', 'bg'],
  ['reminder', 'bg'],
  ['info', 'bg'],
  ['focus', 'bg'],
  ['line-mtta', 'bg'],
  ['line-mttr', 'bg'],
];

describe('colour contrast (WCAG AA)', () => {
  for (const [scheme, vars] of [['light', light], ['dark', dark]] as const) {
    it(`${scheme}: text 4.5:1, marks 3:1`, () => {
      const low: string[] = [];
      for (const [fg, bg] of text) if (contrast(vars[fg]!, vars[bg]!) < 4.5) low.push(`${fg} on ${bg}: ${contrast(vars[fg]!, vars[bg]!).toFixed(2)}`);
      for (const [fg, bg] of marks) if (contrast(vars[fg]!, vars[bg]!) < 3) low.push(`${fg} on ${bg}: ${contrast(vars[fg]!, vars[bg]!).toFixed(2)}`);
      expect(low).toEqual([]);
    });
  }
});
