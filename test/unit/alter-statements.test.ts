import { describe, expect, it } from 'vitest';
import { renderActions } from '../../src/alter/render.js';
import { splitStatements, unwrapExecutableComments } from '../../src/alter/split.js';
import { parseMigrationStatement, type MigrationStatement } from '../../src/alter/statement.js';

const texts = (sql: string): string[] => splitStatements(sql).map((s) => s.text);
const altered = (m: MigrationStatement): string => {
  if (m.kind !== 'alter' && m.kind !== 'create-table') throw new Error(`not an ALTER: ${m.kind}`);
  if (m.alter === undefined) throw new Error('no definitions');
  return renderActions(m.alter);
};

describe('migration files split into statements as the mysql client splits them', () => {
  it('splits at ; outside strings, quoted names and comments, with each statement’s line', () => {
    const sql = [
      '-- 0007: users; phones',
      "ALTER TABLE users ADD COLUMN note VARCHAR(20) DEFAULT 'a;b'; # trailing; comment",
      '/* block; comment */ CREATE INDEX `i;x` ON users (note);',
      'UPDATE users SET note = "x\\";y"',
      '  WHERE id = 1;',
      '',
    ].join('\n');
    expect(splitStatements(sql)).toEqual([
      { text: "ALTER TABLE users ADD COLUMN note VARCHAR(20) DEFAULT 'a;b'", start: sql.indexOf('ALTER'), line: 2, column: 1 },
      { text: 'CREATE INDEX `i;x` ON users (note)', start: sql.indexOf('CREATE'), line: 3, column: 22 },
      { text: 'UPDATE users SET note = "x\\";y"\n  WHERE id = 1', start: sql.indexOf('UPDATE'), line: 4, column: 1 },
    ]);
  });
  it('follows DELIMITER lines, as files with triggers and procedures use', () => {
    const sql = 'DELIMITER $$\nCREATE TRIGGER t1 BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; END$$\nDELIMITER ;\nDROP TABLE old_t;\n';
    expect(texts(sql)).toEqual(['CREATE TRIGGER t1 BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; END', 'DROP TABLE old_t']);
  });
  it('keeps an executable comment whole, and a last statement without a delimiter', () => {
    expect(texts('/*!40101 SET NAMES utf8mb4; */;\nALTER TABLE t ADD COLUMN c INT')).toEqual(['/*!40101 SET NAMES utf8mb4; */', 'ALTER TABLE t ADD COLUMN c INT']);
  });
  it('names the line of an unclosed quote or comment', () => {
    expect(() => splitStatements("SELECT 1;\nSELECT 'oops;\n")).toThrow("line 2: a string opened here (') is never closed");
    expect(() => splitStatements('SELECT 1; /* no end')).toThrow('line 1: a comment opened here (/*) is never closed (*/)');
    expect(() => splitStatements('ALTER TABLE `t ADD c INT')).toThrow('line 1: a quoted identifier opened here (`) is never closed');
  });
  it('reads an executable comment as the server does: its content is code', () => {
    expect(unwrapExecutableComments('ADD COLUMN c INT /*!80023 INVISIBLE */')).toBe(`ADD COLUMN c INT ${' '.repeat(8)} INVISIBLE ${' '.repeat(2)}`);
    expect(unwrapExecutableComments('ADD c INT /*M!100301 INVISIBLE */')).toBe(`ADD c INT ${' '.repeat(10)} INVISIBLE ${' '.repeat(2)}`);
    expect(unwrapExecutableComments("ADD c INT COMMENT '/*!50000 no */'")).toBe("ADD c INT COMMENT '/*!50000 no */'");
  });
});

describe('every statement that changes a table becomes an ALTER TABLE model', () => {
  it('ALTER TABLE, qualified or not', () => {
    const m = parseMigrationStatement('ALTER TABLE app.users DROP COLUMN legacy, ADD INDEX (email)');
    expect(m).toMatchObject({ kind: 'alter', form: 'alter-table', table: { database: 'app', name: 'users' } });
    expect(altered(m)).toBe('DROP COLUMN legacy, ADD INDEX (email)');
  });
  it('CREATE [UNIQUE] INDEX … ON t, with its ALGORITHM and LOCK as actions', () => {
    const m = parseMigrationStatement('CREATE UNIQUE INDEX uk_email USING BTREE ON `users` (email(20), id) COMMENT \'x\' ALGORITHM=INPLACE LOCK NONE');
    expect(m).toMatchObject({ kind: 'alter', form: 'create-index', table: { database: undefined, name: 'users' } });
    expect(altered(m)).toBe("ADD UNIQUE INDEX uk_email USING BTREE (email(20), id) COMMENT 'x', ALGORITHM=INPLACE, LOCK=NONE");
    if (m.kind !== 'alter') throw new Error('kind');
    expect(m.alter.actions[0]).toMatchObject({ kind: 'add-index', index: 'unique', name: 'uk_email', parts: [{ column: 'email', length: 20 }, { column: 'id' }] });
    expect(altered(parseMigrationStatement('CREATE INDEX IF NOT EXISTS i ON db.t (a) WAIT 5'))).toBe('ADD INDEX IF NOT EXISTS i (a)');
  });
  it('DROP INDEX i ON t', () => {
    const m = parseMigrationStatement('DROP INDEX `idx` ON users LOCK=SHARED');
    expect(m).toMatchObject({ kind: 'alter', form: 'drop-index', table: { name: 'users' } });
    expect(altered(m)).toBe('DROP INDEX `idx`, LOCK=SHARED');
  });
  it("CREATE TABLE: its definitions as ADD actions, so the column rules read them", () => {
    const m = parseMigrationStatement(
      "CREATE TABLE IF NOT EXISTS app.orders (id BIGINT NOT NULL AUTO_INCREMENT, total FLOAT NOT NULL, `key` VARCHAR(10), period INT, PRIMARY KEY (id), UNIQUE KEY uk (`key`), CONSTRAINT fk FOREIGN KEY (id) REFERENCES p (id), CHECK (total > 0)) ENGINE=InnoDB",
    );
    expect(m).toMatchObject({ kind: 'create-table', table: { database: 'app', name: 'orders' }, temporary: false });
    if (m.kind !== 'create-table') throw new Error('kind');
    expect(m.alter?.actions.map((a) => a.kind)).toEqual(['add-column', 'add-column', 'add-column', 'add-column', 'add-index', 'add-index', 'add-foreign-key', 'add-check']);
    expect(parseMigrationStatement('CREATE TABLE t2 LIKE t')).toMatchObject({ kind: 'create-table', alter: undefined });
    expect(parseMigrationStatement('CREATE TEMPORARY TABLE tmp (a INT)')).toMatchObject({ kind: 'create-table', temporary: true });
  });
  it('DROP TABLE and RENAME TABLE name every table', () => {
    expect(parseMigrationStatement('DROP TABLE IF EXISTS a, db.b CASCADE')).toEqual({
      kind: 'drop-table',
      tables: [
        { database: undefined, name: 'a' },
        { database: 'db', name: 'b' },
      ],
      temporary: false,
      ifExists: true,
    });
    expect(parseMigrationStatement('RENAME TABLE a TO a_old, b_new TO db.b')).toEqual({
      kind: 'rename-table',
      pairs: [
        { from: { database: undefined, name: 'a' }, to: { database: undefined, name: 'a_old' } },
        { from: { database: undefined, name: 'b_new' }, to: { database: 'db', name: 'b' } },
      ],
    });
  });
  it('anything else keeps its verb and the names it mentions', () => {
    const m = parseMigrationStatement('UPDATE `Users` SET phone = NULL WHERE id < 10');
    expect(m).toMatchObject({ kind: 'other', verb: 'UPDATE' });
    if (m.kind !== 'other') throw new Error('kind');
    expect([...m.names]).toContain('users');
  });
  it('an executable comment inside a statement is read as code', () => {
    expect(altered(parseMigrationStatement('ALTER TABLE t ADD COLUMN c INT /*!80023 INVISIBLE */'))).toBe('ADD COLUMN c INT INVISIBLE');
  });
  it('refuses an ALTER TABLE it cannot read, and CREATE INDEX without ON', () => {
    expect(() => parseMigrationStatement('ALTER TABLE t ADD COLUMN')).toThrow('expected a column name at its end');
    expect(() => parseMigrationStatement('CREATE INDEX i (a)')).toThrow('CREATE INDEX: expected "ON table"');
  });
});
