import { z } from 'zod';
import type { Locale } from '../../text/messages/catalog.js';

/**
 * The query of a paging call's keypress callback (Twilio and Vonage alike): the URL Vigil gave the provider names
 * the incident and the call's language. An incident that is not a number reads as none (the caller hears so).
 */
export const callQuery = z.object({
  incident: z
    .string()
    .describe('The incident the call pages for (digits; otherwise the caller hears that the incident is unknown)')
    .optional()
    .transform((v) => (v !== undefined && /^\d{1,15}$/.test(v) ? Number(v) : null)),
  lang: z
    .string()
    .describe('zh-CN for a call placed in Chinese; anything else is English')
    .optional()
    .transform((v): Locale => (v === 'zh-CN' ? 'zh-CN' : 'en')),
});
