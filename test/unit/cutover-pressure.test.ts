import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { migrationFlags, parseMigrationOptions } from '../../src/cli/migration-options.js';
import { BlockerPolicy, isLockWaitTimeout } from '../../src/cutover/blocker-policy.js';
import { blockersToKill, type Blocker } from '../../src/cutover/blockers.js';
import { OschangeError } from '../../src/errors.js';
import { describeKillBlockers } from '../../src/status/plan-report.js';

const parse = (argv: string[]) => parseMigrationOptions(migrationFlags(yargs(argv)).parseSync(), { env: {}, readFile: () => '' });
const TAKES = 'give one ALTER TABLE, CREATE [UNIQUE] INDEX or DROP INDEX statement';

/** A server error as mysql2 hands it over. */
const serverError = (errno: number, message: string): Error => Object.assign(new Error(message), { errno });

describe('--statement', () => {
  const target = (argv: string[]) => {
    const r = parse(argv);
    if (!('config' in r)) throw new Error(r.errors.join('; '));
    return { database: r.config.database, table: r.config.table, alter: r.config.alter, statement: r.config.statement };
  };

  it('reads CREATE INDEX, CREATE UNIQUE INDEX and DROP INDEX as the ALTER TABLE they are', () => {
    expect(target(['--database', 'app', '--statement', 'CREATE INDEX by_email ON users (email)'])).toEqual({
      database: 'app', table: 'users', alter: 'ALTER TABLE users ADD INDEX by_email (email)', statement: 'CREATE INDEX by_email ON users (email)',
    });
    expect(target(['--database', 'app', '--statement', 'CREATE UNIQUE INDEX u ON `my table` (a, b(10));']).alter).toBe('ALTER TABLE `my table` ADD UNIQUE INDEX u (a, b(10))');
    expect(target(['--database', 'app', '--statement', 'DROP INDEX old ON users ALGORITHM=INPLACE'])).toMatchObject({ table: 'users', alter: 'ALTER TABLE users DROP INDEX old, ALGORITHM=INPLACE' });
  });

  it('takes an ALTER TABLE as written, and the database from db.t', () => {
    expect(target(['--statement', 'ALTER TABLE shop.orders ADD COLUMN note TEXT'])).toEqual({
      database: 'shop', table: 'orders', alter: 'ALTER TABLE shop.orders ADD COLUMN note TEXT', statement: 'ALTER TABLE shop.orders ADD COLUMN note TEXT',
    });
    expect(target(['--database', 'shop', '--statement', 'CREATE INDEX i ON shop.orders (a)'])).toMatchObject({ database: 'shop', table: 'orders' });
  });

  it('refuses other statements, several, none, and executable comments, each in one line', () => {
    expect(parse(['--database', 'app', '--statement', 'DROP TABLE users'])).toEqual({ errors: [`--statement: DROP TABLE is not a change oschange runs online; ${TAKES}`] });
    expect(parse(['--database', 'app', '--statement', 'CREATE TABLE t (a INT)'])).toEqual({ errors: [`--statement: CREATE TABLE is not a change oschange runs online; ${TAKES}`] });
    expect(parse(['--database', 'app', '--statement', 'RENAME TABLE a TO b'])).toEqual({ errors: [`--statement: RENAME TABLE is not a change oschange runs online; ${TAKES}`] });
    expect(parse(['--database', 'app', '--statement', "UPDATE users SET a = 1"])).toEqual({ errors: [`--statement: UPDATE is not a change oschange runs online; ${TAKES}`] });
    // Two statements are two tables in one cut-over: one table twice is refused.
    expect(parse(['--database', 'app', '--statement', 'CREATE INDEX i ON t (a); DROP INDEX j ON t'])).toEqual({
      errors: ['t is named twice: give each table once (one ALTER can hold several changes, separated by commas)'],
    });
    expect(parse(['--database', 'app', '--statement', ' -- nothing\n'])).toEqual({ errors: [`--statement is empty: ${TAKES}`] });
    expect(parse(['--database', 'app', '--statement', 'ALTER TABLE t ADD COLUMN c INT /*!80023 INVISIBLE */'])).toEqual({
      errors: ['--statement: the ALTER holds an executable comment (/*!80023 INV…) at character 32: write its content as plain SQL'],
    });
  });

  it('is a usage error with --table or --alter, or without a database', () => {
    expect(parse(['--database', 'app', '--table', 't', '--alter', 'ADD c INT', '--statement', 'CREATE INDEX i ON t (a)'])).toEqual({
      errors: ['--statement names its table and its change: give it without --table and --alter'],
    });
    expect(parse(['--database', 'app', '--table', 't', '--statement', 'CREATE INDEX i ON t (a)'])).toEqual({ errors: ['--statement names its table and its change: give it without --table'] });
    expect(parse(['--statement', 'CREATE INDEX i ON t (a)'])).toEqual({ errors: ['--database is required (or name the table as database.table in --statement)'] });
    expect(parse(['--database', 'app', '--statement', 'DROP INDEX i ON shop.t'])).toEqual({ errors: ['--statement names table shop.t but --database is app: give one database'] });
  });
});

describe('several tables, one cut-over', () => {
  const tables = (argv: string[]) => {
    const r = parse(argv);
    if (!('config' in r)) throw new Error(r.errors.join('; '));
    return { table: r.config.table, alter: r.config.alter, also: r.config.alsoTables };
  };

  it('pairs each --table with the --alter after it, and reads a statement list the same way', () => {
    expect(tables(['--database', 'app', '--table', 'a', '--alter', 'ADD x INT', '--table', 'b', '--alter', 'DROP COLUMN y'])).toEqual({
      table: 'a', alter: 'ADD x INT', also: [{ table: 'b', alter: 'DROP COLUMN y' }],
    });
    expect(tables(['--database', 'app', '--statement', 'ALTER TABLE a ADD x INT; CREATE INDEX i ON b (v)'])).toEqual({
      table: 'a', alter: 'ALTER TABLE a ADD x INT', also: [{ table: 'b', alter: 'ALTER TABLE b ADD INDEX i (v)' }],
    });
    expect(tables(['--statement', 'ALTER TABLE app.a ADD x INT', '--statement', 'ALTER TABLE app.b ADD y INT'])).toMatchObject({ table: 'a', also: [{ table: 'b' }] });
    expect(tables(['--database', 'app', '--table', 'a', '--alter', 'ADD x INT']).also).toEqual([]);
  });

  it('refuses unpaired flags, one table twice, other databases, and what a shared cut-over cannot do', () => {
    expect(parse(['--database', 'app', '--table', 'a', '--alter', 'ADD x INT', '--alter', 'ADD y INT'])).toEqual({
      errors: ['--table is given 1 times and --alter 2: give one --alter after each --table'],
    });
    expect(parse(['--database', 'app', '--table', 'a', '--alter', 'ADD x INT', '--table', 'A', '--alter', 'ADD y INT'])).toEqual({
      errors: ['A is named twice: give each table once (one ALTER can hold several changes, separated by commas)'],
    });
    expect(parse(['--statement', 'ALTER TABLE app.a ADD x INT; ALTER TABLE shop.b ADD y INT'])).toEqual({
      errors: ['--statement names tables in app and shop: the tables of one run are in one database'],
    });
    const both = ['--database', 'app', '--table', 'a', '--alter', 'ADD x INT', '--table', 'b', '--alter', 'ADD y INT'];
    expect(parse([...both, '--resume', '--keep-reverse-sync', '1h', '--force-kill-blockers-after', '2'])).toEqual({
      errors: [
        'several tables in one cut-over cannot be combined with --resume (several tables keep no checkpoint: a stopped run starts over with --initially-drop-ghost-table); migrate the tables one by one for it',
        'several tables in one cut-over cannot be combined with --keep-reverse-sync (a revert swaps one table back); migrate the tables one by one for it',
        'several tables in one cut-over cannot be combined with --force-kill-blockers-after (the shared cut-over does not kill blockers yet); migrate the tables one by one for it',
      ],
    });
  });
});

describe('--force-kill-blockers-after', () => {
  it('kills nothing for the first N lock timeouts, then on every attempt; other failures do not count', () => {
    const policy = new BlockerPolicy({ source: 'performance_schema', after: 2 });
    const timeout = serverError(1205, 'Lock wait timeout exceeded; try restarting transaction');
    expect(policy.next()).toBeUndefined();
    policy.failed(timeout);
    policy.failed(new OschangeError('CUTOVER_TIMEOUT', 'the cut-over rename was not seen waiting for the lock within 3000 ms'));
    expect(policy.next()).toBeUndefined();
    // Wrapped, as a caller may rethrow it.
    policy.failed(new OschangeError('CUTOVER_FAILED', 'cut-over failed', { cause: timeout }));
    expect(policy.lockTimeouts).toBe(2);
    expect(policy.next()).toBe('performance_schema');
    expect(policy.next()).toBe('performance_schema');
  });

  it('kills from the first attempt with 0, and never without the flag', () => {
    expect(new BlockerPolicy({ source: 'metadata_lock_info', after: 0 }).next()).toBe('metadata_lock_info');
    const off = new BlockerPolicy({ source: undefined, after: undefined });
    for (let i = 0; i < 5; i++) off.failed(serverError(1205, 'Lock wait timeout exceeded'));
    expect(off.next()).toBeUndefined();
    expect(isLockWaitTimeout(serverError(1213, 'Deadlock found'))).toBe(false);
  });

  it('kills the holders and the exclusive waiters queued before the cut-over, each once, never oschange\'s own sessions', () => {
    const session = (id: number, o: Partial<Blocker> = {}): Blocker => ({ id, user: 'app', host: '10.0.0.7:5312', seconds: 30, command: 'Sleep', state: '', info: null, lockType: 'SHARED_READ', pending: false, ...o });
    const found = [
      session(11),
      session(11, { lockType: 'SHARED_WRITE' }),
      session(12, { command: 'Query', info: 'SELECT SLEEP(100) FROM orders', lockType: 'SHARED_READ' }),
      // Ours: the applier and the cut-over's own lock.
      session(20, { lockType: 'SHARED_WRITE' }),
      session(21, { lockType: 'SHARED_NO_READ_WRITE', pending: true, seconds: 0 }),
      // Waiting: an ALTER queued before the cut-over goes first; one queued after it, or a write, does not.
      session(31, { command: 'Query', lockType: 'EXCLUSIVE', pending: true, seconds: 4 }),
      session(32, { command: 'Query', lockType: 'EXCLUSIVE', pending: true, seconds: 1 }),
      session(33, { command: 'Query', lockType: 'SHARED_WRITE', pending: true, seconds: 9 }),
    ];
    expect(blockersToKill(found, { exclude: new Set([20, 21]), waitedSeconds: 1.5 }).map((b) => b.id)).toEqual([11, 12, 31]);
  });

  it('states its cost in the plan', () => {
    const base = { database: 'app', table: 'orders', cutOverLockTimeoutSeconds: 3 };
    expect(describeKillBlockers({ ...base, forceKillBlockersAfter: 2 })).toBe(
      'after 2 cut-over attempts time out on the lock (3 s each), every later attempt kills the sessions still holding a lock on app.orders once its lock has waited 1.5 s ' +
        '(an open transaction that read or wrote the table, a long query; or an ALTER queued before it): their transactions are rolled back; each is named in the log first (--force-kill-blockers-after 2)',
    );
    expect(describeKillBlockers({ ...base, forceKillBlockersAfter: 1 })).toMatch(/^after 1 cut-over attempt times out on the lock \(3 s each\), every later attempt kills /);
    expect(describeKillBlockers({ ...base, forceKillBlockersAfter: 0 })).toMatch(/^every cut-over attempt kills the sessions still holding a lock on app\.orders once its lock has waited 1\.5 s /);
  });

  it('is refused when it could never take effect', () => {
    expect(parse(['--database', 'a', '--table', 't', '--alter', 'ADD c INT', '--force-kill-blockers-after', '3', '--default-retries', '3'])).toEqual({
      errors: ['--force-kill-blockers-after 3 never takes effect: the cut-over is tried --default-retries 3 times at most'],
    });
    expect(parse(['--database', 'a', '--table', 't', '--alter', 'ADD c INT', '--force-kill-blockers-after', '-1'])).toEqual({
      errors: ['--force-kill-blockers-after must be a whole number from 0 to 10000 (got -1)'],
    });
    const r = parse(['--database', 'a', '--table', 't', '--alter', 'ADD c INT', '--force-kill-blockers-after', '2', '--timestamp-old-table']);
    expect('config' in r && { kill: r.config.forceKillBlockersAfter, stamp: r.config.timestampOldTable }).toEqual({ kill: 2, stamp: true });
  });
});
