import { describe, expect, it } from 'vitest';
import { planBatch } from '../../src/apply/batch-plan.js';
import type { RowChange } from '../../src/binlog/types.js';
import { NumericLiteral } from '../../src/sql/literals.js';

const pos = { file: 'binlog.000001', position: 4 };
const ins = (id: number, v: string): RowChange => ({ kind: 'insert', after: { id, v }, position: pos });
const upd = (from: number, to: number, v: string): RowChange => ({ kind: 'update', before: { id: from, v: 'old' }, after: { id: to, v }, position: pos });
const del = (id: number): RowChange => ({ kind: 'delete', before: { id, v: 'x' }, position: pos });
const o = { columns: ['id', 'v'], keyColumns: ['id'], keyTypes: ['int'] };

describe('planBatch', () => {
  it('merges consecutive writes and consecutive deletes, keeping binlog order between them', () => {
    expect(planBatch([ins(1, 'a'), upd(2, 2, 'b'), del(3), del(4), ins(3, 'c')], o)).toEqual([
      { kind: 'replace', rows: [[1, 'a'], [2, 'b']] },
      { kind: 'delete', keys: [[3], [4]] },
      { kind: 'replace', rows: [[3, 'c']] },
    ]);
  });
  it('deletes the old key first when an update moves the key', () => {
    expect(planBatch([upd(1, 9, 'moved')], o)).toEqual([
      { kind: 'delete', keys: [[1]] },
      { kind: 'replace', rows: [[9, 'moved']] },
    ]);
  });
  it('never reorders two changes of one key: delete then re-insert stays in that order', () => {
    expect(planBatch([del(5), ins(5, 'back')], o)).toEqual([
      { kind: 'delete', keys: [[5]] },
      { kind: 'replace', rows: [[5, 'back']] },
    ]);
  });
  it('writes exact big keys unquoted in deletes', () => {
    const big: RowChange = { kind: 'delete', before: { id: '18446744073709551615', v: null }, position: pos };
    expect(planBatch([big], { ...o, keyTypes: ['bigint'] })).toEqual([{ kind: 'delete', keys: [[new NumericLiteral('18446744073709551615')]] }]);
  });
  it('splits a run that would exceed the statement size', () => {
    const steps = planBatch([ins(1, 'x'.repeat(100)), ins(2, 'y'.repeat(100))], { ...o, maxStatementBytes: 250 });
    expect(steps.map((s) => s.kind)).toEqual(['replace', 'replace']);
  });
  it('fails loudly when an image lacks a column', () => {
    expect(() => planBatch([{ kind: 'insert', after: { id: 1 }, position: pos }], o)).toThrow('binlog row image has no column v');
  });
});
