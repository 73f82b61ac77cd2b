import { describe, expect, it } from 'vitest';
import { rowMapping } from '../../src/store/row-mapping.js';
import { Where } from '../../src/store/sqlite/dynamic-sql.js';

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

  it('names every field but id as writable', () => {
    expect(rows.writable).toEqual({ name: 'full_name', tags: 'tag_list', on: 'is_on', size: 'size' });
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
