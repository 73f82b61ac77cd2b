import { en, type MessageKey } from '../../text/messages/en.js';
import { zhCN } from '../../text/messages/zh-CN.js';

/**
 * The console's words in English and Simplified Chinese: the same catalog Vigil's pages, reminders and digests
 * are written from (src/text/messages), served to the browser as it is. Pure: the page picks the language
 * (browser language, or the remembered switch) and passes it in.
 */

export type { MessageKey };
export const languages = ['en', 'zh-CN'] as const;
export type Lang = (typeof languages)[number];

const catalogs: Record<Lang, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };

export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

/** The stored choice when it is one of ours, else the first browser language we speak, else English. */
export function pickLanguage(stored: string | null | undefined, browser: readonly string[]): Lang {
  if (stored === 'en' || stored === 'zh-CN') return stored;
  for (const tag of browser) {
    const lower = tag.toLowerCase();
    if (lower === 'zh' || lower.startsWith('zh-')) return 'zh-CN';
    if (lower === 'en' || lower.startsWith('en-')) return 'en';
  }
  return 'en';
}

/**
 * A message with its {name} placeholders filled in; an unknown placeholder stays as written. The console uses
 * only messages whose ICU form is plain text and {name} arguments, so this reads them as ICU would (a test checks
 * both); it spares the browser an ICU parser.
 */
export function translate(lang: Lang, key: MessageKey, params: Params = {}): string {
  const text = catalogs[lang][key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function translator(lang: Lang): Translate {
  return (key, params) => translate(lang, key, params);
}

/** Every message of a language (the tests check both have the same placeholders). */
export function messages(lang: Lang): Readonly<Record<MessageKey, string>> {
  return catalogs[lang];
}

/** A key built from data (an event kind, a channel) when we have words for it, else null. */
export function knownKey(key: string): MessageKey | null {
  return key in en ? (key as MessageKey) : null;
}
