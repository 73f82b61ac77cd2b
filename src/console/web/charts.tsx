import { useId } from 'preact/hooks';
import { formatDay, formatDuration } from './format.js';
import type { Lang } from './i18n.js';
import { niceCeiling } from './report-shape.js';
import { severities, type Severity } from './types.js';

/**
 * Hand-made SVG charts (no chart library): bars stacked by severity, duration lines per day, and a bar for a
 * share. Colours come from the stylesheet (classes), each chart has a title and a text alternative.
 */

const W = 640;
const H = 180;
const PAD = { left: 44, right: 8, top: 8, bottom: 28 };

export interface DayCounts {
  date: string;
  bySeverity: Record<Severity, number>;
}

export function StackedBars({ days, label, lang, names }: { days: DayCounts[]; label: string; lang: Lang; names: Record<Severity, string> }) {
  const id = useId();
  const totals = days.map((d) => severities.reduce((n, s) => n + d.bySeverity[s], 0));
  const top = niceCeiling(Math.max(0, ...totals));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, days.length);
  const barW = Math.max(2, Math.min(36, slot * 0.7));
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const every = Math.ceil(days.length / 10);
  const summary = days.map((d, k) => `${d.date}: ${totals[k]}`).join(', ');
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-t ${id}-d`} preserveAspectRatio="xMidYMid meet">
        <title id={`${id}-t`}>{label}</title>
        <desc id={`${id}-d`}>{summary}</desc>
        <Axis top={top} y={y} format={(v) => String(v)} />
        {days.map((d, k) => {
          let base = 0;
          const x = PAD.left + k * slot + (slot - barW) / 2;
          return (
            <g key={d.date}>
              <title>{`${formatDay(d.date, lang)}: ${severities.map((s) => `${d.bySeverity[s]} ${names[s]}`).join(', ')}`}</title>
              {severities.map((s) => {
                const v = d.bySeverity[s];
                if (v === 0) return null;
                const rect = <rect key={s} class={`fill-${s}`} x={x} width={barW} y={y(base + v)} height={y(base) - y(base + v)} />;
                base += v;
                return rect;
              })}
              {k % every === 0 ? (
                <text class="tick" x={x + barW / 2} y={H - 10} text-anchor="middle">
                  {formatDay(d.date, lang)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption class="legend">
        {severities.map((s) => (
          <span key={s}>
            <svg viewBox="0 0 10 10" class="swatch" aria-hidden="true">
              <rect class={`fill-${s}`} width="10" height="10" />
            </svg>
            {names[s]}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

function Axis({ top, y, format }: { top: number; y: (v: number) => number; format: (v: number) => string }) {
  return (
    <g class="axis">
      {[0, top / 2, top].map((v) => (
        <g key={v}>
          <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
          <text class="tick" x={PAD.left - 4} y={y(v) + 4} text-anchor="end">
            {format(v)}
          </text>
        </g>
      ))}
    </g>
  );
}

export interface Series {
  name: string;
  className: string;
  values: (number | null)[];
}

/** Durations per day as lines; a day without a value is a gap. */
export function DurationLines({ dates, series, label, lang }: { dates: string[]; series: Series[]; label: string; lang: Lang }) {
  const id = useId();
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const top = niceCeiling(Math.max(60_000, ...all) / 60_000) * 60_000;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, dates.length);
  const x = (k: number) => PAD.left + k * slot + slot / 2;
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const every = Math.ceil(dates.length / 10);
  const summary = series.map((s) => `${s.name}: ${s.values.map((v, k) => `${dates[k]} ${v === null ? '—' : formatDuration(v, lang)}`).join(', ')}`).join('; ');
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-t ${id}-d`} preserveAspectRatio="xMidYMid meet">
        <title id={`${id}-t`}>{label}</title>
        <desc id={`${id}-d`}>{summary}</desc>
        <Axis top={top} y={y} format={(v) => formatDuration(v, lang)} />
        {dates.map((d, k) =>
          k % every === 0 ? (
            <text key={d} class="tick" x={x(k)} y={H - 10} text-anchor="middle">
              {formatDay(d, lang)}
            </text>
          ) : null,
        )}
        {series.map((s) => {
          const runs: string[] = [];
          let run: string[] = [];
          s.values.forEach((v, k) => {
            if (v === null) {
              if (run.length) runs.push(run.join(' '));
              run = [];
            } else run.push(`${x(k)},${y(v)}`);
          });
          if (run.length) runs.push(run.join(' '));
          return (
            <g key={s.name} class={s.className}>
              {runs.map((points, n) => (
                <polyline key={n} points={points} />
              ))}
              {s.values.map((v, k) =>
                v === null ? null : (
                  <circle key={k} cx={x(k)} cy={y(v)} r="3">
                    <title>{`${s.name} ${formatDay(dates[k]!, lang)}: ${formatDuration(v, lang)}`}</title>
                  </circle>
                ),
              )}
            </g>
          );
        })}
      </svg>
      <figcaption class="legend">
        {series.map((s) => (
          <span key={s.name}>
            <svg viewBox="0 0 10 10" class={`swatch ${s.className}`} aria-hidden="true">
              <circle cx="5" cy="5" r="4" />
            </svg>
            {s.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

/** A share as a bar, with a mark at the target when there is one. */
export function ShareBar({ rate, target, className }: { rate: number | null; target?: number; className?: string }) {
  return (
    <svg class={`share ${className ?? ''}`} viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
      <rect class="share-track" width="100" height="10" />
      {rate !== null ? <rect class="share-fill" width={Math.max(0, Math.min(1, rate)) * 100} height="10" /> : null}
      {target !== undefined ? <line class="share-target" x1={target * 100} x2={target * 100} y1="0" y2="10" /> : null}
    </svg>
  );
}
