import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAlterStatement } from '../../src/alter/parse.js';
import { renderActions } from '../../src/alter/render.js';
import { tokenize } from '../../src/alter/tokenize.js';

const kinds = (sql: string): string[] => parseAlterStatement(sql).actions.map((a) => a.kind);
const only = (sql: string) => {
  const [a] = parseAlterStatement(sql).actions;
  if (a === undefined) throw new Error('no action');
  return a;
};

describe('ALTER model: every action kind', () => {
  it.each([
    ['ADD COLUMN c INT', ['add-column']],
    ['ADD c INT', ['add-column']],
    ['ADD COLUMN (a INT, b VARCHAR(10) NOT NULL)', ['add-column', 'add-column']],
    ['ADD INDEX idx (a, b(10))', ['add-index']],
    ['ADD KEY (a)', ['add-index']],
    ['ADD UNIQUE KEY uk (email)', ['add-index']],
    ['ADD CONSTRAINT uk UNIQUE (email)', ['add-index']],
    ['ADD PRIMARY KEY (id, i)', ['add-index']],
    ['ADD FULLTEXT INDEX ft (body)', ['add-index']],
    ['ADD SPATIAL INDEX sp (pt)', ['add-index']],
    ['ADD INDEX idx_age ((CAST(doc->>\'$.age\' AS UNSIGNED)))', ['add-index']],
    ['ADD CONSTRAINT fk FOREIGN KEY (p) REFERENCES parent (id) ON DELETE CASCADE', ['add-foreign-key']],
    ['ADD CHECK (a > 0)', ['add-check']],
    ['ADD CONSTRAINT c1 CHECK (a > 0) NOT ENFORCED', ['add-check']],
    ['MODIFY amount DECIMAL(16,2) NOT NULL', ['modify-column']],
    ['MODIFY COLUMN IF EXISTS a INT', ['modify-column']],
    ['CHANGE COLUMN a b INT', ['change-column']],
    ['CHANGE a b INT FIRST', ['change-column']],
    ['RENAME COLUMN a TO b', ['rename-column']],
    ['RENAME INDEX a TO b', ['rename-index']],
    ['RENAME KEY a TO b', ['rename-index']],
    ['RENAME TO other', ['rename-table']],
    ['RENAME AS db.other', ['rename-table']],
    ['RENAME other', ['rename-table']],
    ['DROP COLUMN c', ['drop-column']],
    ['DROP c', ['drop-column']],
    ['DROP COLUMN IF EXISTS c', ['drop-column']],
    ['DROP INDEX i', ['drop-index']],
    ['DROP KEY IF EXISTS i', ['drop-index']],
    ['DROP PRIMARY KEY', ['drop-primary-key']],
    ['DROP FOREIGN KEY fk', ['drop-foreign-key']],
    ['DROP CONSTRAINT c1', ['drop-constraint']],
    ['DROP CHECK c1', ['drop-constraint']],
    ['ALTER COLUMN a SET DEFAULT 5', ['alter-column']],
    ['ALTER a DROP DEFAULT', ['alter-column']],
    ['ALTER INDEX i INVISIBLE', ['other']],
    ['CONVERT TO CHARACTER SET utf8mb4', ['convert-charset']],
    ['CONVERT TO CHARSET latin1 COLLATE latin1_bin', ['convert-charset']],
    ['ENGINE=InnoDB', ['table-option']],
    ['DEFAULT CHARSET=latin1', ['table-option']],
    ['COMMENT = \'x, y\'', ['table-option']],
    ['AUTO_INCREMENT = 1000', ['table-option']],
    ['ROW_FORMAT=COMPRESSED KEY_BLOCK_SIZE=8', ['table-option']],
    ['ALGORITHM=INPLACE, LOCK=NONE, ADD INDEX (a)', ['algorithm', 'lock', 'add-index']],
    ['ALGORITHM INSTANT', ['algorithm']],
    ['FORCE', ['force']],
    ['ORDER BY id', ['other']],
    ['ADD PARTITION (PARTITION p3 VALUES LESS THAN (30))', ['partition']],
    ['DROP PARTITION p1', ['partition']],
    ['REMOVE PARTITIONING', ['partition']],
    ['ADD COLUMN x INT PARTITION BY HASH(id) PARTITIONS 4', ['add-column', 'partition']],
    ['COALESCE PARTITION 2', ['partition']],
    ['DISCARD TABLESPACE', ['other']],
    ['ADD SYSTEM VERSIONING', ['other']],
  ])('%s', (sql, expected) => {
    expect(kinds(sql)).toEqual(expected);
  });
});

describe('ALTER model: what matters to the copy', () => {
  it('reads IF [NOT] EXISTS instead of taking IF for a column name (MariaDB)', () => {
    expect(only('CHANGE COLUMN IF EXISTS a b INT')).toMatchObject({ kind: 'change-column', from: 'a', to: 'b', ifExists: true });
    expect(only('ADD COLUMN IF NOT EXISTS c INT')).toMatchObject({ kind: 'add-column', name: 'c', ifNotExists: true });
    expect(only('DROP COLUMN IF EXISTS c')).toMatchObject({ kind: 'drop-column', name: 'c', ifExists: true });
    expect(only('RENAME COLUMN IF EXISTS a TO b')).toMatchObject({ kind: 'rename-column', from: 'a', to: 'b', ifExists: true });
    expect(only('DROP INDEX IF EXISTS i')).toMatchObject({ kind: 'drop-index', name: 'i', ifExists: true });
  });
  it('reads column definitions', () => {
    expect(only("ADD COLUMN `we``ird` DECIMAL(12,2) UNSIGNED NOT NULL DEFAULT '0.00' AFTER `id`")).toMatchObject({
      kind: 'add-column',
      name: 'we`ird',
      definition: { type: { name: 'DECIMAL', args: ['12', '2'], unsigned: true }, nullable: false, default: 'literal', autoIncrement: false },
      position: { kind: 'after', column: 'id' },
    });
    expect(only('ADD COLUMN c INT NOT NULL')).toMatchObject({ definition: { nullable: false, default: 'none' } });
    expect(only('ADD COLUMN c DATETIME(6) NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)')).toMatchObject({
      definition: { type: { name: 'DATETIME', args: ['6'] }, nullable: true, default: 'expression' },
    });
    expect(only("ADD COLUMN flags BIT(64) NOT NULL DEFAULT b'101'")).toMatchObject({ definition: { default: 'literal', nullable: false } });
    expect(only('ADD COLUMN n INT DEFAULT -1')).toMatchObject({ definition: { default: 'literal' } });
    expect(only('ADD COLUMN n INT DEFAULT NULL')).toMatchObject({ definition: { default: 'null' } });
    expect(only('ADD COLUMN j JSON DEFAULT (JSON_OBJECT())')).toMatchObject({ definition: { default: 'expression' } });
    expect(only("MODIFY e ENUM('a','b\\'c','d''e') NOT NULL")).toMatchObject({ definition: { type: { name: 'ENUM', args: ['a', "b'c", "d'e"] } } });
    expect(only('MODIFY name VARCHAR(100) CHARACTER SET latin1 COLLATE latin1_bin NOT NULL')).toMatchObject({
      definition: { type: { name: 'VARCHAR', args: ['100'], charset: 'latin1', collation: 'latin1_bin' } },
    });
    expect(only('ADD COLUMN total DECIMAL(12,2) AS (price * qty) STORED')).toMatchObject({ definition: { generated: 'stored' } });
    expect(only('ADD COLUMN label VARCHAR(60) GENERATED ALWAYS AS (CONCAT(a, b)) VIRTUAL')).toMatchObject({ definition: { generated: 'virtual' } });
    expect(only('ADD COLUMN d DOUBLE PRECISION')).toMatchObject({ definition: { type: { name: 'DOUBLE PRECISION' } } });
    expect(only('ADD COLUMN v CHARACTER VARYING(10)')).toMatchObject({ definition: { type: { name: 'VARCHAR', args: ['10'] } } });
    expect(only('ADD COLUMN id2 INT NOT NULL AUTO_INCREMENT UNIQUE KEY')).toMatchObject({ definition: { autoIncrement: true, inlineKey: 'unique' } });
  });
  it('reads keys and their parts', () => {
    expect(only('ADD UNIQUE INDEX IF NOT EXISTS uk_token USING BTREE (token, b(10))')).toMatchObject({
      kind: 'add-index',
      index: 'unique',
      name: 'uk_token',
      ifNotExists: true,
      parts: [
        { column: 'token', length: undefined },
        { column: 'b', length: 10 },
      ],
    });
    expect(only('ADD CONSTRAINT fk_p FOREIGN KEY (p_id) REFERENCES `db`.`parent` (id)')).toMatchObject({ name: 'fk_p', columns: ['p_id'], parentTable: 'parent', parentColumns: ['id'] });
  });
  it('takes a whole ALTER TABLE statement, MariaDB ALTER IGNORE and one trailing semicolon', () => {
    expect(parseAlterStatement('ALTER TABLE `app`.`users` ADD COLUMN c INT;')).toMatchObject({ table: { database: 'app', name: 'users' }, ignore: false });
    expect(parseAlterStatement('alter online table users add column c int')).toMatchObject({ table: { database: undefined, name: 'users' } });
    expect(parseAlterStatement('ALTER IGNORE TABLE users ADD UNIQUE (email)')).toMatchObject({ ignore: true });
  });
  it('refuses what it cannot read safely, with the place and the fix', () => {
    expect(() => parseAlterStatement('ADD COLUMN c INT; DROP TABLE users')).toThrow('the ALTER holds more than one statement (a ";" at character 17): give one ALTER TABLE');
    expect(() => parseAlterStatement("ADD COLUMN c INT COMMENT 'oops")).toThrow("the ALTER has a string opened at character 26 (') that is never closed");
    expect(() => parseAlterStatement('ADD COLUMN c INT /* no end')).toThrow('the ALTER has a comment opened at character 18 (/*) that is never closed (*/)');
    expect(() => parseAlterStatement('ADD COLUMN c INT /*!50000 , ALGORITHM=COPY */')).toThrow('the ALTER holds an executable comment (/*!50000 , A…) at character 18: write its content as plain SQL');
    expect(() => parseAlterStatement('ADD COLUMN c INT /*M! , ALGORITHM=COPY */')).toThrow('executable comment');
    expect(() => parseAlterStatement('ADD COLUMN `c INT')).toThrow('never closed');
    expect(() => parseAlterStatement('ADD COLUMN c INT,, DROP d')).toThrow('the ALTER has an empty clause');
    expect(() => parseAlterStatement('ADD COLUMN c INT)')).toThrow('unmatched ")"');
    expect(() => parseAlterStatement('ALTER VIEW v AS SELECT 1')).toThrow('the statement is not an ALTER TABLE');
  });
});

describe('ALTER model: rebuilt without comments, so nothing swallows what follows', () => {
  it.each([
    ['MODIFY amount DECIMAL(16,2) -- ticket 42', 'MODIFY amount DECIMAL(16,2)'],
    ['MODIFY amount DECIMAL(16,2) # ticket 42', 'MODIFY amount DECIMAL(16,2)'],
    ['MODIFY amount DECIMAL(16,2) /* ticket 42 */', 'MODIFY amount DECIMAL(16,2)'],
    ['MODIFY amount /* x */ DECIMAL(16,2)', 'MODIFY amount DECIMAL(16,2)'],
    ['MODIFY amount DECIMAL(16,2);', 'MODIFY amount DECIMAL(16,2)'],
    ["ADD COLUMN c VARCHAR(10) DEFAULT '-- not a comment' COMMENT '# nor this /* */'", "ADD COLUMN c VARCHAR(10) DEFAULT '-- not a comment' COMMENT '# nor this /* */'"],
    ["ADD COLUMN c VARCHAR(10) DEFAULT 'it''s \\' here'", "ADD COLUMN c VARCHAR(10) DEFAULT 'it''s \\' here'"],
    ['ADD COLUMN c INT --1 comment?\n, DROP d', 'ADD COLUMN c INT --1 comment?, DROP d'],
    ["ADD COLUMN f BIT(8) DEFAULT b'101', ADD COLUMN n DECIMAL(5,2) DEFAULT 1.5e1", "ADD COLUMN f BIT(8) DEFAULT b'101', ADD COLUMN n DECIMAL(5,2) DEFAULT 1.5e1"],
    ['ADD COLUMN x INT\n  -- why\n  PARTITION BY HASH(id)', 'ADD COLUMN x INT PARTITION BY HASH(id)'],
    ['ADD COLUMN (a INT, b INT), DROP c', 'ADD COLUMN (a INT, b INT), DROP c'],
    ["ADD INDEX i ((CAST(doc->>'$.age' AS UNSIGNED)))", "ADD INDEX i ((CAST(doc->>'$.age' AS UNSIGNED)))"],
  ])('%j', (sql, expected) => {
    const rendered = renderActions(parseAlterStatement(sql));
    expect(rendered).toBe(expected);
    // The rebuilt text holds no comment at all: its tokens are the original's tokens.
    expect(tokenize(rendered).map((t) => t.text)).toEqual(tokenize(sql.replace(/;\s*$/, '')).map((t) => t.text));
  });
});

describe('ALTER model: every ALTER of the scenarios', () => {
  const dir = join(import.meta.dirname, '../scenarios');
  const alters = readdirSync(dir)
    .filter((n) => existsSync(join(dir, n, 'alter')))
    .map((n) => [n, readFileSync(join(dir, n, 'alter'), 'utf8').trim()] as const);
  it.each(alters)('%s', (_name, alter) => {
    const parsed = parseAlterStatement(alter);
    expect(parsed.actions.length).toBeGreaterThan(0);
    expect(parsed.actions.some((a) => a.kind === 'other')).toBe(false);
    expect(renderActions(parsed)).toBe(alter.replace(/\s+/g, ' '));
  });
});
