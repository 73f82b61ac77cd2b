import { describe, expect, it } from 'vitest';
import { columnValuesOf, insertRowSql } from '../../src/store/dynamic-sql.js';
import { arrayReader, hasArrayReader, rowMapping } from '../../src/store/row-mapping.js';
import { Where } from '../../src/store/sqlite/dynamic-sql.js';
import { rowOf, rowsOf, statementCache } from '../../src/store/sqlite/statements.js';
import Database from 'better-sqlite3';

describe('rowMapping', () => {
  const rows = rowMapping<{ id: number; name: string | null; tags: string[] | null; on: boolean; size: number }>({
    id: 'id',
    name: 'full_name',
    tags: ['tag_list', 'json'],
    on: ['is_on', 'flag'],
    size: ['size', (v) => (v as number) * 2],
  });

  it('reads columns into fields in the order given, NULL as null, JSON parsed and 0/1 as booleans', () => {
    const row = rows.fromRow({ is_on: 1, size: 2, tag_list: '["a"]', full_name: null, id: 7 });
    expect(row).toEqual({ id: 7, name: null, tags: ['a'], on: true, size: 4 });
    expect(Object.keys(row)).toEqual(['id', 'name', 'tags', 'on', 'size']);
    expect(rows.fromRow({ id: 1, full_name: 'x', tag_list: null, is_on: 0, size: 0 })).toMatchObject({ tags: null, on: false });
  });

  it('reads a row given as an array of values by the names of its columns, as fromRow reads the same row', () => {
    const columns = ['size', 'id', 'tag_list', 'is_on', 'full_name'];
    const read = arrayReader(rows.fromRow, columns)!;
    const row = read([2, 7, '["a"]', 1, null]);
    expect(row).toEqual(rows.fromRow({ size: 2, id: 7, tag_list: '["a"]', is_on: 1, full_name: null }));
    expect(Object.keys(row)).toEqual(['id', 'name', 'tags', 'on', 'size']);
    // A column named twice (a join) counts as in a row object: the last; a column the result lacks is null.
    expect(arrayReader(rows.fromRow, ['id', 'id', 'size'])!([1, 2, 3])).toEqual({ id: 2, name: null, tags: null, on: false, size: 6 });
  });

  it('through rowOf and rowsOf, maps rows read as arrays, and leaves the shared statement reading objects', () => {
    const db = new Database(':memory:');
    try {
      db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, full_name TEXT, tag_list TEXT, is_on INTEGER, size INTEGER); INSERT INTO t VALUES (1, 'a', '[\"x\"]', 1, 2), (2, NULL, NULL, 0, 3)");
      const stmt = statementCache(db);
      const sql = 'SELECT * FROM t ORDER BY id';
      expect(rowsOf(stmt, sql, rows.fromRow)).toEqual([
        { id: 1, name: 'a', tags: ['x'], on: true, size: 4 },
        { id: 2, name: null, tags: null, on: false, size: 6 },
      ]);
      expect(rowOf(stmt, sql, rows.fromRow)).toEqual({ id: 1, name: 'a', tags: ['x'], on: true, size: 4 });
      expect(stmt(sql).get()).toEqual({ id: 1, full_name: 'a', tag_list: '["x"]', is_on: 1, size: 2 });
      expect(rowsOf(stmt, sql, (r) => r.full_name)).toEqual(['a', null]);
    } finally {
      db.close();
    }
  });

  it('has no array reader for a function it did not make', () => {
    const byHand = (r: Record<string, unknown>) => r.id;
    expect(hasArrayReader(byHand)).toBe(false);
    expect(arrayReader(byHand, ['id'])).toBeUndefined();
    expect(hasArrayReader(rows.fromRow)).toBe(true);
  });

  it('names every field but id as writable', () => {
    expect(rows.writable).toEqual({ name: 'full_name', tags: 'tag_list', on: 'is_on', size: 'size' });
  });
});

describe('insertRowSql', () => {
  const columns = { name: 'full_name', labels: 'labels', on: 'is_on', size: 'size' };

  it('writes every column in order: JSON fields as text, booleans as 0/1, missing fields as NULL', () => {
    expect(insertRowSql('things', columns, { size: 3, on: true, labels: { a: '1' } })).toEqual({
      sql: 'INSERT INTO things (full_name, labels, is_on, size) VALUES (?, ?, ?, ?)',
      args: [null, '{"a":"1"}', 1, 3],
    });
    expect(columnValuesOf(columns)({ name: 'x', labels: null, on: false })).toEqual(['x', null, 0, null]);
  });
});

describe('Where', () => {
  it('joins the given terms with AND, skips undefined filters and keeps the arguments in order', () => {
    const where = new Where().equal('a', 1).equal('b', undefined).add('c > ?', 2).equal('d', null);
    expect(String(where)).toBe('WHERE a = ? AND c > ? AND d = ?');
    expect(where.args).toEqual([1, 2, null]);
  });

  it('is empty without terms', () => {
    expect(`${new Where().equal('a', undefined)}`).toBe('');
  });
});
