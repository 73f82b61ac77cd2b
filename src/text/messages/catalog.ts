import { IntlMessageFormat } from 'intl-messageformat';
import { en, type MessageKey } from './en.js';
import { zhCN } from './zh-CN.js';

export type { MessageKey };

/** The languages Vigil's messages are written in; a person's `locale` (or notify.locale) picks one. */
export const locales = ['en', 'zh-CN'] as const;
export type Locale = (typeof locales)[number];

export const catalogs: Record<Locale, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };

export type Values = Record<string, string | number>;
export type Translate = (key: MessageKey, values?: Values) => string;

const compiled = new Map<string, IntlMessageFormat>();

/** A message in this language with its values filled in (ICU message format: plurals, selects). */
export function translate(locale: Locale, key: MessageKey, values: Values = {}): string {
  const id = `${locale}\u0000${key}`;
  let format = compiled.get(id);
  if (!format) compiled.set(id, (format = new IntlMessageFormat(catalogs[locale][key], locale)));
  return String(format.format(values));
}

export function translator(locale: Locale): Translate {
  return (key, values) => translate(locale, key, values);
}
