import { describe, expect, it } from 'vitest';
import { quoteId, quoteTable } from '../../src/sql/quote.js';
import { quoteAccount, quoteString, grantOnDatabase, grantGlobal, createUser } from '../../src/sql/privileges.js';

describe('quoteId', () => {
  it('wraps names in backticks and doubles backticks inside', () => {
    expect(quoteId('users')).toBe('`users`');
    expect(quoteId('select')).toBe('`select`');
    expect(quoteId('my table')).toBe('`my table`');
    expect(quoteId('we`ird')).toBe('`we``ird`');
    expect(quoteId('`')).toBe('````');
    expect(quoteId('emoji \u{1F600}')).toBe('`emoji \u{1F600}`');
  });
  it('refuses names MySQL cannot hold', () => {
    expect(() => quoteId('')).toThrow('empty identifier');
    expect(() => quoteId('a\u0000b')).toThrow('NUL');
  });
  it('quotes database and table separately', () => {
    expect(quoteTable('app', 'or`der')).toBe('`app`.`or``der`');
  });
});

describe('privilege statements', () => {
  it('quotes account names as string literals', () => {
    expect(quoteAccount('oschange', '%')).toBe("'oschange'@'%'");
    expect(quoteString("it's \\ here")).toBe("'it''s \\\\ here'");
  });
  it('creates a user with the password as a placeholder', () => {
    expect(createUser('u', '%', 'p@ss')).toEqual({ sql: "CREATE USER 'u'@'%' IDENTIFIED BY ?", params: ['p@ss'] });
  });
  it('grants global privileges by flavor', () => {
    expect(grantGlobal('mysql', 'u', '%').sql).toBe("GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'u'@'%'");
    expect(grantGlobal('mariadb', 'u', '%').sql).toBe("GRANT REPLICATION SLAVE, BINLOG MONITOR, SLAVE MONITOR, REPLICATION MASTER ADMIN ON *.* TO 'u'@'%'");
  });
  it('escapes GRANT wildcards in database names so the grant is exact', () => {
    expect(grantOnDatabase('app_1%', 'u', '%', ['SELECT']).sql).toBe("GRANT SELECT ON `app\\_1\\%`.* TO 'u'@'%'");
  });
});
