import { describe, expect, it } from 'vitest';
import { addForeignKey } from '../../../src/lint/rules/add-foreign-key.js';
import { codes, column, findings, index, table } from './helpers.js';

describe('add-foreign-key', () => {
  it('fires on ADD FOREIGN KEY: index first, find orphans, add it without a copy', async () => {
    const [f] = await findings(addForeignKey, 'ALTER TABLE orders ADD CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE', { database: 'app' });
    expect(f?.message).toBe(
      'a FOREIGN KEY fk_user (user_id) → users is added to orders: a blocking copy that checks every row, shared locks on users for every later write, and harder online migrations of orders',
    );
    expect(f?.steps).toEqual([
      'Consider checking the relation in the application instead; most large MySQL deployments do.',
      'If you keep it, index the column first, online: oschange --database app --table orders --alter "ADD INDEX (user_id)" --execute',
      'Find the rows that would break it, and fix them: SELECT c.user_id FROM orders c LEFT JOIN users p ON p.id = c.user_id WHERE c.user_id IS NOT NULL AND p.id IS NULL LIMIT 10',
      'Add it without a copy, in a quiet hour (with the checks off the server does not scan — which is why the step before matters): SET SESSION foreign_key_checks = 0; ALTER TABLE orders ADD CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE, ALGORITHM=INPLACE, LOCK=NONE; SET SESSION foreign_key_checks = 1;',
    ]);
  });
  it('leaves out the index step when the table has one on the columns', async () => {
    const shape = table('orders', [column('id', 'int', { nullable: false }), column('user_id', 'int')], [index('PRIMARY', ['id']), index('k_user', ['user_id'])]);
    const [f] = await findings(addForeignKey, 'ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id)', { shapes: { before: shape, after: shape } });
    expect(f?.steps?.some((s) => s.includes('ADD INDEX'))).toBe(false);
  });
  it.each(['ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES p (id)', 'ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a, b) REFERENCES p (x, y)'])('fires: %s', async (sql) => {
    expect(await codes(addForeignKey, sql)).toEqual(['error ADD_FOREIGN_KEY']);
  });
  it.each(['ALTER TABLE t DROP FOREIGN KEY fk', 'CREATE TABLE c (id INT, p INT, FOREIGN KEY (p) REFERENCES p (id))', 'CREATE TABLE c (id INT); ALTER TABLE c ADD FOREIGN KEY (id) REFERENCES p (id)', 'ALTER TABLE t ADD INDEX (a)'])(
    'stays silent: %s',
    async (sql) => {
      expect(await codes(addForeignKey, sql)).toEqual([]);
    },
  );
});
