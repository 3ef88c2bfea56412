import { describe, expect, it } from 'vitest';
import { parseAlterStatement } from '../../src/alter/parse.js';
import { NO_FOREIGN_KEYS } from '../../src/inspect/foreign-keys.js';
import { ghostOwnKeys } from '../../src/inspect/plan.js';
import type { ForeignKeyDefinition } from '../../src/sql/foreign-keys.js';

const fk = (name: string): ForeignKeyDefinition => ({
  name,
  childSchema: 'app',
  childTable: 'orders',
  parentSchema: 'app',
  parentTable: 'users',
  columns: ['user_id'],
  parentColumns: ['id'],
  onDelete: 'RESTRICT',
  onUpdate: 'RESTRICT',
});

describe('the ghost\'s ALTER and the own foreign keys it carries (docs/design.md, "Foreign keys")', () => {
  const keys = { ...NO_FOREIGN_KEYS, own: [fk('fk_user'), fk('fk_shop')] };

  it('carries every own key when the ALTER does not touch them', () => {
    const r = ghostOwnKeys(parseAlterStatement('ADD COLUMN note TEXT'), keys, false);
    expect(r.clause).toBe('ADD COLUMN note TEXT');
    expect(r.kept.map((f) => f.name)).toEqual(['fk_user', 'fk_shop']);
  });

  it('takes a DROP FOREIGN KEY of an own key out of the ghost\'s ALTER (the ghost has none to drop) and off the list', () => {
    const r = ghostOwnKeys(parseAlterStatement('DROP FOREIGN KEY FK_USER, ADD COLUMN note TEXT'), keys, false);
    expect(r.clause).toBe('ADD COLUMN note TEXT');
    expect(r.kept.map((f) => f.name)).toEqual(['fk_shop']);
  });

  it('leaves a DROP FOREIGN KEY of a key the table does not have in the ALTER, for the server to refuse', () => {
    expect(ghostOwnKeys(parseAlterStatement('DROP FOREIGN KEY fk_other'), keys, false).clause).toBe('DROP FOREIGN KEY fk_other');
  });

  it('carries none with --discard-foreign-keys, and an ALTER that only drops an own key leaves the ghost nothing to run', () => {
    expect(ghostOwnKeys(parseAlterStatement('ADD COLUMN note TEXT'), keys, true).kept).toEqual([]);
    expect(ghostOwnKeys(parseAlterStatement('DROP FOREIGN KEY fk_user'), keys, false)).toEqual({ clause: '', kept: [fk('fk_shop')] });
  });
});
