import { silenceFromRow, silences } from '../rows/silences.js';
import type { SilenceReads, SilenceTx } from '../types/silences.js';
import { updateById } from './dynamic-sql.js';
import { type Read, rowOf, rowsOf, type Stmt } from './statements.js';

export function silenceTx(stmt: Stmt): SilenceTx {
  return {
    insertSilence: (s) => {
      stmt('INSERT INTO silences (id, matchers, starts_at, ends_at, created_by, comment, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
        s.id,
        JSON.stringify(s.matchers),
        s.startsAt,
        s.endsAt,
        s.createdBy,
        s.comment,
        s.createdAt,
        s.updatedAt,
      );
      return Promise.resolve();
    },
    updateSilence: (id, patch) => Promise.resolve(updateById(stmt, 'silences', silences.writable, id, patch)),
    getSilence: (id) => Promise.resolve(rowOf(stmt, 'SELECT * FROM silences WHERE id = ?', silenceFromRow, id)),
  };
}

export function silenceReads(stmt: Stmt, read: Read): SilenceReads {
  return {
    listSilences: (now) =>
      read(() =>
        now === undefined
          ? rowsOf(stmt, 'SELECT * FROM silences ORDER BY created_at DESC LIMIT 1000', silenceFromRow)
          : rowsOf(stmt, 'SELECT * FROM silences WHERE ends_at > ? ORDER BY starts_at', silenceFromRow, now),
      ),
    getSilence: (id) => read(() => rowOf(stmt, 'SELECT * FROM silences WHERE id = ?', silenceFromRow, id)),
  };
}
