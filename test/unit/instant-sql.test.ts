import { describe, expect, it } from 'vitest';
import { instantSkipReason, isInstantRefusal } from '../../src/migration/instant.js';
import { alterTableInstant, setLockWaitTimeout } from '../../src/sql/instant.js';
import { parseAlterStatement } from '../../src/alter/parse.js';
import { renderActions } from '../../src/alter/render.js';

describe('the instant ALTER', () => {
  it('runs the operator clause on the original table with ALGORITHM=INSTANT first', () => {
    expect(alterTableInstant('app', 'users', 'ADD COLUMN phone VARCHAR(20)')).toEqual({
      sql: 'ALTER TABLE `app`.`users` ALGORITHM=INSTANT, ADD COLUMN phone VARCHAR(20)',
      params: [],
    });
    expect(alterTableInstant('app', 'users', 'ADD COLUMN a INT, DROP COLUMN b').sql).toBe('ALTER TABLE `app`.`users` ALGORITHM=INSTANT, ADD COLUMN a INT, DROP COLUMN b');
  });
  it('quotes names with backticks, spaces and keywords', () => {
    expect(alterTableInstant('my db', 'or`der', 'ADD COLUMN x INT').sql).toBe('ALTER TABLE `my db`.`or``der` ALGORITHM=INSTANT, ADD COLUMN x INT');
    expect(alterTableInstant('select', 'table', 'ADD COLUMN x INT').sql).toBe('ALTER TABLE `select`.`table` ALGORITHM=INSTANT, ADD COLUMN x INT');
  });
  it('cannot be swallowed by a comment, a semicolon or a quote in the operator clause: the clause is rebuilt without them', () => {
    const instant = (clause: string): string => alterTableInstant('app', 't', renderActions(parseAlterStatement(clause))).sql;
    expect(instant('MODIFY amount DECIMAL(16,2) -- ticket 42')).toBe('ALTER TABLE `app`.`t` ALGORITHM=INSTANT, MODIFY amount DECIMAL(16,2)');
    expect(instant('MODIFY amount DECIMAL(16,2) # ticket 42')).toBe('ALTER TABLE `app`.`t` ALGORITHM=INSTANT, MODIFY amount DECIMAL(16,2)');
    expect(instant('MODIFY amount DECIMAL(16,2) /* ticket 42 */')).toBe('ALTER TABLE `app`.`t` ALGORITHM=INSTANT, MODIFY amount DECIMAL(16,2)');
    expect(instant('MODIFY amount DECIMAL(16,2);')).toBe('ALTER TABLE `app`.`t` ALGORITHM=INSTANT, MODIFY amount DECIMAL(16,2)');
    expect(instant("ADD COLUMN c VARCHAR(9) DEFAULT '-- x' -- y")).toBe("ALTER TABLE `app`.`t` ALGORITHM=INSTANT, ADD COLUMN c VARCHAR(9) DEFAULT '-- x'");
    expect(() => instant("ADD COLUMN c VARCHAR(9) DEFAULT 'open")).toThrow('never closed');
  });
});

describe('the session lock wait timeout', () => {
  it('is a placeholder of whole seconds', () => {
    expect(setLockWaitTimeout(1)).toEqual({ sql: 'SET SESSION lock_wait_timeout = ?', params: [1] });
  });
  it('refuses what the server would not take', () => {
    expect(() => setLockWaitTimeout(0)).toThrow('lock_wait_timeout must be a whole number of seconds >= 1');
    expect(() => setLockWaitTimeout(0.5)).toThrow('not 0.5');
  });
});

describe('what counts as "not instantly"', () => {
  const err = (errno: number): Error => Object.assign(new Error(`error ${errno}`), { errno });
  it('is 1845 and 1846 on both flavors', () => {
    for (const flavor of ['mysql', 'mariadb'] as const) {
      expect(isInstantRefusal(err(1845), flavor)).toBe(true);
      expect(isInstantRefusal(err(1846), flavor)).toBe(true);
    }
  });
  it("includes MySQL's InnoDB instant-column limits, which are other errors on MariaDB", () => {
    for (const n of [4092, 4157, 4158]) {
      expect(isInstantRefusal(err(n), 'mysql')).toBe(true);
      expect(isInstantRefusal(err(n), 'mariadb')).toBe(false);
    }
  });
  it('excludes syntax errors, lock wait timeouts and lost connections', () => {
    for (const n of [1064, 1205, 1054, 2013]) expect(isInstantRefusal(err(n), 'mysql')).toBe(false);
    expect(isInstantRefusal(new Error('no errno'), 'mysql')).toBe(false);
  });
});

const skip = (clause: string): string | undefined => instantSkipReason(parseAlterStatement(clause));

describe('ALTERs oschange does not try instantly', () => {
  it('are those that set their own ALGORITHM or LOCK', () => {
    expect(skip('ADD COLUMN x INT, ALGORITHM=COPY')).toBe('the ALTER sets its own ALGORITHM');
    expect(skip('algorithm = inplace')).toBe('the ALTER sets its own ALGORITHM');
    expect(skip('ADD INDEX (a), LOCK=NONE')).toBe('the ALTER sets its own LOCK');
    expect(skip('LOCK SHARED, ADD COLUMN y INT')).toBe('the ALTER sets its own LOCK');
  });
  it('are those that change partitioning', () => {
    expect(skip('ADD COLUMN x INT PARTITION BY HASH(id) PARTITIONS 2')).toBe('the ALTER changes partitioning');
    expect(skip('REMOVE PARTITIONING')).toBe('the ALTER changes partitioning');
  });
  it('but not columns, strings or comments that happen to be called so', () => {
    expect(skip('ADD COLUMN phone VARCHAR(20)')).toBeUndefined();
    expect(skip('ADD COLUMN algorithm INT')).toBeUndefined();
    expect(skip('ADD COLUMN `lock` INT, ADD COLUMN `algorithm` INT')).toBeUndefined();
    expect(skip("ADD COLUMN c INT COMMENT 'ALGORITHM=COPY', MODIFY d ENUM('LOCK', 'x')")).toBeUndefined();
    expect(skip('ADD COLUMN c INT /* , ALGORITHM=COPY */')).toBeUndefined();
  });
});
