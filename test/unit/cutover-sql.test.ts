import { describe, expect, it } from 'vitest';
import { isUnmovable, parseDefiner, triggerDifferences, triggerFromRow } from '../../src/inspect/triggers.js';
import { crossWaiters, killConnection, killQuery, pendingTableLocks, tableLockHolders } from '../../src/sql/blockers.js';
import { addForeignKeys, foreignKeyClause, repointChildForeignKey, toggledConstraintName, type ForeignKeyDefinition } from '../../src/sql/foreign-keys.js';
import { setAutoIncrement } from '../../src/sql/ghost.js';
import { createTrigger, dropTrigger, triggerSessionSettings, type TriggerDefinition } from '../../src/sql/triggers.js';

const trigger: TriggerDefinition = {
  name: 'users_bi',
  timing: 'BEFORE',
  event: 'INSERT',
  order: 1,
  body: "SET NEW.note = CONCAT(NEW.note, '?')",
  definer: { user: 'app`x', host: '10.0.%' },
  sqlMode: 'ANSI_QUOTES,NO_BACKSLASH_ESCAPES',
  characterSetClient: 'utf8mb4',
  collationConnection: 'utf8mb4_0900_ai_ci',
};

describe('trigger SQL', () => {
  it('creates a trigger again on another table, the definer quoted as identifiers and the body as written', () => {
    expect(createTrigger('app', '_users_gho', trigger).sql).toBe(
      "CREATE DEFINER=`app``x`@`10.0.%` TRIGGER `app`.`users_bi` BEFORE INSERT ON `app`.`_users_gho` FOR EACH ROW SET NEW.note = CONCAT(NEW.note, '?')",
    );
    expect(createTrigger('app', 't', trigger, '_osc_ght_1_0').sql).toContain('TRIGGER `app`.`_osc_ght_1_0` BEFORE INSERT ON `app`.`t`');
    expect(createTrigger('app', 't', trigger).params).toEqual([]);
    expect(dropTrigger('app', 'users_bi').sql).toBe('DROP TRIGGER `app`.`users_bi`');
    expect(triggerSessionSettings(trigger)).toEqual({
      sql: 'SET SESSION sql_mode = ?, character_set_client = ?, collation_connection = ?',
      params: ['ANSI_QUOTES,NO_BACKSLASH_ESCAPES', 'utf8mb4', 'utf8mb4_0900_ai_ci'],
    });
  });

  it('refuses a timing or event it does not know rather than build SQL from it', () => {
    expect(() => createTrigger('app', 't', { ...trigger, timing: 'INSTEAD OF' as 'BEFORE' })).toThrow(/not a trigger timing/);
  });

  it('reads a definer as user and host, the host after the last @', () => {
    expect(parseDefiner('root@localhost')).toEqual({ user: 'root', host: 'localhost' });
    expect(parseDefiner('a@b@10.0.0.1')).toEqual({ user: 'a@b', host: '10.0.0.1' });
    expect(parseDefiner('role_only')).toBeUndefined();
    expect(parseDefiner('@host')).toBeUndefined();
  });

  it('reads an information_schema row, and says why a trigger cannot be created again as it was', () => {
    const row = { name: 't1', timing: 'after', event: 'delete', action_order: 2, body: 'BEGIN END', definer: 'u@%', sql_mode: 'STRICT_ALL_TABLES', character_set_client: 'utf8mb4', collation_connection: 'utf8mb4_bin' };
    const t = triggerFromRow(row);
    expect(isUnmovable(t)).toBe(false);
    expect(t).toMatchObject({ name: 't1', timing: 'AFTER', event: 'DELETE', order: 2, definer: { user: 'u', host: '%' } });
    expect(triggerFromRow({ ...row, definer: 'some_role' })).toEqual({ name: 't1', problem: 'its definer some_role is not an account (user@host)' });
    expect(triggerFromRow({ ...row, character_set_client: 'latin1', body: "SET NEW.a = 'é'" })).toMatchObject({ problem: expect.stringMatching(/latin1 client character set/) });
    expect(isUnmovable(triggerFromRow({ ...row, character_set_client: 'latin1', body: "SET NEW.a = 'e'" }))).toBe(false);
  });

  it('lists what differs between the triggers before and after', () => {
    expect(triggerDifferences([trigger], [trigger])).toEqual([]);
    expect(triggerDifferences([trigger], [{ ...trigger, order: 2, definer: { user: 'root', host: '%' } }])).toEqual(['users_bi: its order differs', 'users_bi: its definer differs']);
    expect(triggerDifferences([trigger], [])).toEqual(['users_bi is missing']);
    expect(triggerDifferences([], [trigger])).toEqual(['users_bi is new']);
  });
});

const fk: ForeignKeyDefinition = {
  name: 'fk_orders_user',
  childSchema: 'app',
  childTable: 'orders',
  parentSchema: 'app',
  parentTable: 'users',
  columns: ['user_id', 'tenant'],
  parentColumns: ['id', 'tenant'],
  onDelete: 'CASCADE',
  onUpdate: 'RESTRICT',
};

describe('foreign key SQL', () => {
  it('creates a foreign key again under another name, with its actions', () => {
    expect(foreignKeyClause(fk, '_fk_orders_user')).toBe(
      'ADD CONSTRAINT `_fk_orders_user` FOREIGN KEY (`user_id`, `tenant`) REFERENCES `app`.`users` (`id`, `tenant`) ON DELETE CASCADE ON UPDATE RESTRICT',
    );
    expect(addForeignKeys('app', '_orders_gho', [{ fk, name: '_fk_orders_user' }]).sql).toBe(
      'ALTER TABLE `app`.`_orders_gho` ADD CONSTRAINT `_fk_orders_user` FOREIGN KEY (`user_id`, `tenant`) REFERENCES `app`.`users` (`id`, `tenant`) ON DELETE CASCADE ON UPDATE RESTRICT',
    );
    expect(() => foreignKeyClause({ ...fk, onDelete: 'DROP' as 'CASCADE' }, 'x')).toThrow(/not a referential action/);
  });

  it("points a child's foreign key at the new table in one metadata-only ALTER", () => {
    expect(repointChildForeignKey(fk, '_fk_orders_user', { schema: 'app', table: 'users' }).sql).toBe(
      'ALTER TABLE `app`.`orders` ALGORITHM=INPLACE, LOCK=NONE, DROP FOREIGN KEY `fk_orders_user`, ADD CONSTRAINT `_fk_orders_user` FOREIGN KEY (`user_id`, `tenant`) REFERENCES `app`.`users` (`id`, `tenant`) ON DELETE CASCADE ON UPDATE RESTRICT',
    );
  });

  it("alternates a constraint's second name by a leading underscore", () => {
    expect(toggledConstraintName('fk_a')).toBe('_fk_a');
    expect(toggledConstraintName('_fk_a')).toBe('fk_a');
    expect(toggledConstraintName(toggledConstraintName('fk_a'))).toBe('fk_a');
  });
});

describe('cut-over SQL', () => {
  it('reads who holds a lock on the table from either source, and kills by a whole number only', () => {
    expect(tableLockHolders('performance_schema', 'app', 'users').params).toEqual(['app', 'users']);
    expect(tableLockHolders('performance_schema', 'app', 'users').sql).toBe(
      'SELECT t.PROCESSLIST_ID AS id, t.PROCESSLIST_USER AS user, t.PROCESSLIST_HOST AS host, t.PROCESSLIST_TIME AS seconds, ' +
        't.PROCESSLIST_COMMAND AS command, t.PROCESSLIST_STATE AS state, t.PROCESSLIST_INFO AS info, ml.LOCK_TYPE AS lock_type, ml.LOCK_STATUS AS lock_status ' +
        'FROM performance_schema.metadata_locks ml JOIN performance_schema.threads t ON t.THREAD_ID = ml.OWNER_THREAD_ID ' +
        "WHERE ml.OBJECT_TYPE = 'TABLE' AND ml.OBJECT_SCHEMA = ? AND ml.OBJECT_NAME = ? AND ml.LOCK_STATUS IN ('GRANTED', 'PENDING') AND t.PROCESSLIST_ID IS NOT NULL",
    );
    expect(tableLockHolders('metadata_lock_info', 'app', 'users').sql).toBe(
      "SELECT m.THREAD_ID AS id, p.USER AS user, p.HOST AS host, p.TIME AS seconds, p.COMMAND AS command, p.STATE AS state, p.INFO AS info, m.LOCK_MODE AS lock_type, 'GRANTED' AS lock_status " +
        'FROM information_schema.METADATA_LOCK_INFO m JOIN information_schema.PROCESSLIST p ON p.ID = m.THREAD_ID ' +
        'WHERE m.TABLE_SCHEMA = ? AND m.TABLE_NAME = ?',
    );
    expect(tableLockHolders('metadata_lock_info', 'app', 'users').params).toEqual(['app', 'users']);
    expect(killConnection(42).sql).toBe('KILL CONNECTION 42');
    expect(() => killConnection(0)).toThrow();
    expect(() => killConnection(1.5)).toThrow();
  });

  it('asks performance_schema what a session waits for, and who holds one table while waiting for others (several tables, one cut-over)', () => {
    const pending = pendingTableLocks(17, 'app');
    expect(pending.sql).toContain("LOCK_STATUS = 'PENDING'");
    expect(pending.params).toEqual([17, 'app']);
    const cross = crossWaiters('app', 'b', ['a', 'c']);
    expect(cross.sql).toContain("g.LOCK_STATUS = 'GRANTED'");
    expect(cross.sql).toContain('LOWER(p.OBJECT_NAME) IN (LOWER(?), LOWER(?))');
    expect(cross.params).toEqual(['app', 'b', 'app', 'a', 'c']);
    expect(() => crossWaiters('app', 'b', [])).toThrow();
    expect(killQuery(42).sql).toBe('KILL QUERY 42');
    expect(() => killQuery(-1)).toThrow();
  });

  it('sets an AUTO_INCREMENT beyond the range of a double exactly', () => {
    expect(setAutoIncrement('app', '_users_gho', 18446744073709551615n).sql).toBe('ALTER TABLE `app`.`_users_gho` AUTO_INCREMENT = 18446744073709551615');
    expect(() => setAutoIncrement('app', 't', 0n)).toThrow();
  });
});
