import type { VigilError } from '../../errors/errors.js';
import { catalogs, type MessageKey, type Translate } from '../../text/messages/catalog.js';

const isMessageKey = (key: string): key is MessageKey => Object.hasOwn(catalogs.en, key);

/**
 * What a person is told when their SMS reply, keypress or link was refused: the refusal's reason in their
 * language, "try again" when the store was away, else the error's own message.
 */
export function refusalText(err: VigilError, t: Translate): string {
  const key = err.reason?.key;
  if (key !== undefined && isMessageKey(key)) return t(key, err.reason?.values);
  if (err.code === 'unavailable') return t('smsReply.sorry');
  return err.message;
}
