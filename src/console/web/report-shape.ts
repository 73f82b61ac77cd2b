/**
 * Summary lists that may be capped: the API answers either the whole array or `{ total, items }` with the
 * first items. Pure.
 */
export interface Capped<T> {
  items: T[];
  total: number;
}

export function cappedList<T>(value: unknown): Capped<T> {
  if (Array.isArray(value)) return { items: value as T[], total: value.length };
  if (value && typeof value === 'object' && Array.isArray((value as { items?: unknown }).items)) {
    const items = (value as { items: T[] }).items;
    const total = (value as { total?: unknown }).total;
    return { items, total: typeof total === 'number' && total >= items.length ? total : items.length };
  }
  return { items: [], total: 0 };
}

/** A round upper bound for a chart's axis: 1, 2 or 5 times a power of ten, at least `max`. */
export function niceCeiling(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}
