import { silenceFromRow, silences } from '../rows/silences.js';
import type { SilenceReads, SilenceTx } from '../types/silences.js';
import { updateById } from './dynamic-sql.js';
import type { Query } from './pool.js';

async function silenceById(q: Query, id: string) {
  const [r] = await q('SELECT * FROM silences WHERE id = ?', [id]);
  return r ? silenceFromRow(r) : undefined;
}

export function silenceTx(q: Query): SilenceTx {
  return {
    insertSilence: async (s) => {
      await q('INSERT INTO silences (id, matchers, starts_at, ends_at, created_by, comment, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
        s.id,
        JSON.stringify(s.matchers),
        s.startsAt,
        s.endsAt,
        s.createdBy,
        s.comment,
        s.createdAt,
        s.updatedAt,
      ]);
    },
    updateSilence: (id, patch) => updateById(q, 'silences', silences.writable, id, patch),
    getSilence: (id) => silenceById(q, id),
  };
}

export function silenceReads(read: Query): SilenceReads {
  return {
    listSilences: async (now) =>
      (now === undefined
        ? await read('SELECT * FROM silences ORDER BY created_at DESC LIMIT 1000')
        : await read('SELECT * FROM silences WHERE ends_at > ? ORDER BY starts_at', [now])
      ).map(silenceFromRow),
    getSilence: (id) => silenceById(read, id),
  };
}
