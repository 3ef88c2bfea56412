import { describe, expect, it } from 'vitest';
import { floatForMoney, nameParts } from '../../../src/lint/rules/float-for-money.js';
import { codes, findings } from './helpers.js';

describe('float-for-money', () => {
  it('fires on FLOAT/DOUBLE for a money-like name, and shows the DECIMAL', async () => {
    const [f] = await findings(floatForMoney, 'ALTER TABLE orders ADD COLUMN total_price DOUBLE NOT NULL DEFAULT 0 AFTER id', { database: 'shop' });
    expect(f).toMatchObject({ severity: 'warning', code: 'FLOAT_FOR_MONEY', message: 'orders.total_price is DOUBLE: money needs an exact type' });
    expect(f?.steps?.[0]).toBe('Use DECIMAL (exact; 19,4 holds up to 10^15 with 4 decimals): oschange --database shop --table orders --alter "ADD COLUMN total_price DECIMAL(19,4) NOT NULL DEFAULT 0 AFTER id" --execute');
    const [inTable] = await findings(floatForMoney, 'CREATE TABLE orders (id INT, unitPrice FLOAT(7,2) UNSIGNED)');
    expect(inTable?.steps?.[0]).toBe("Use DECIMAL (exact; 19,4 holds up to 10^15 with 4 decimals) in the table's definition: unitPrice DECIMAL(19,4)");
  });
  it.each([
    'ALTER TABLE t ADD COLUMN amount FLOAT',
    'ALTER TABLE t MODIFY balance DOUBLE PRECISION',
    'ALTER TABLE t CHANGE fee fee_usd REAL',
    'CREATE TABLE t (id INT, taxCents DOUBLE)',
  ])('fires: %s', async (sql) => {
    expect(await codes(floatForMoney, sql)).toEqual(['warning FLOAT_FOR_MONEY']);
  });
  it.each(['ALTER TABLE t ADD COLUMN amount DECIMAL(12,2)', 'ALTER TABLE t ADD COLUMN ratio DOUBLE', 'ALTER TABLE t ADD COLUMN priceless FLOAT', 'ALTER TABLE t ADD COLUMN price_cents BIGINT', 'ALTER TABLE t MODIFY amount DECIMAL(19,4)'])(
    'stays silent: %s',
    async (sql) => {
      expect(await codes(floatForMoney, sql)).toEqual([]);
    },
  );
  it('splits names at underscores and case changes', () => {
    expect(nameParts('unitPriceUSD_total')).toEqual(['unit', 'price', 'usd', 'total']);
  });
});
