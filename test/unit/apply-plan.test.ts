import { describe, expect, it } from 'vitest';
import { planBatch } from '../../src/apply/batch-plan.js';
import { keyText } from '../../src/guard/tables.js';
import type { RowChange } from '../../src/binlog/types.js';
import { NumericLiteral } from '../../src/sql/literals.js';

const pos = { file: 'binlog.000001', position: 4 };
const ins = (id: number, v: string): RowChange => ({ kind: 'insert', after: { id, v }, position: pos });
const upd = (from: number, to: number, v: string): RowChange => ({ kind: 'update', before: { id: from, v: 'old' }, after: { id: to, v }, position: pos });
const del = (id: number): RowChange => ({ kind: 'delete', before: { id, v: 'x' }, position: pos });
const o = { columns: ['id', 'v'], keyColumns: ['id'], keyTypes: ['int'] };

const finals = (plan: ReturnType<typeof planBatch>): unknown[][] => plan.inserts.flat().map((r) => [...r.values]);

describe('planBatch', () => {
  it('deletes every key the batch touches, then writes each key\'s final image once', () => {
    const plan = planBatch([ins(1, 'a'), upd(2, 2, 'b'), del(3), del(4), ins(3, 'c'), upd(1, 1, 'a2')], o);
    expect(plan.deletes).toEqual([[[2], [4], [3], [1]]]);
    expect(finals(plan)).toEqual([[2, 'b'], [3, 'c'], [1, 'a2']]);
  });
  it('deletes the old key when an update moves the key', () => {
    const plan = planBatch([upd(1, 9, 'moved')], o);
    expect(plan.deletes).toEqual([[[1], [9]]]);
    expect(finals(plan)).toEqual([[9, 'moved']]);
  });
  it('keeps the last change of a key: delete then re-insert writes it, insert then delete removes it', () => {
    expect(finals(planBatch([del(5), ins(5, 'back')], o))).toEqual([[5, 'back']]);
    const gone = planBatch([ins(6, 'x'), del(6)], o);
    expect(gone.deletes).toEqual([[[6]]]);
    expect(finals(gone)).toEqual([]);
  });
  it('swaps keys within one batch without an intermediate collision', () => {
    const plan = planBatch([upd(1, 3, 'one'), upd(2, 1, 'two'), upd(3, 2, 'three')], o);
    expect(finals(plan)).toEqual([[1, 'two'], [2, 'three']]);
    expect(plan.deletes.flat().map(([k]) => k).sort()).toEqual([1, 2, 3]);
  });
  it('in upsert mode deletes only the keys whose last change is a delete (or that a key update left)', () => {
    const plan = planBatch([ins(1, 'a'), upd(2, 9, 'moved'), del(3), ins(4, 'x'), del(4)], { ...o, mode: 'upsert' });
    expect(plan.deletes.flat()).toEqual([[2], [3], [4]]);
    expect(finals(plan)).toEqual([[1, 'a'], [9, 'moved']]);
  });
  it('writes exact big keys unquoted in deletes', () => {
    const big: RowChange = { kind: 'delete', before: { id: '18446744073709551615', v: null }, position: pos };
    expect(planBatch([big], { ...o, keyTypes: ['bigint'] }).deletes).toEqual([[[new NumericLiteral('18446744073709551615')]]]);
  });
  it('tells binary keys apart byte for byte', () => {
    const bin = (id: Buffer, v: string): RowChange => ({ kind: 'insert', after: { id, v }, position: pos });
    const plan = planBatch([bin(Buffer.from('00ff', 'hex'), 'a'), bin(Buffer.from('00fe', 'hex'), 'b')], { ...o, keyTypes: ['binary'] });
    expect(finals(plan)).toHaveLength(2);
  });
  it('splits statements that would exceed the statement size', () => {
    const plan = planBatch([ins(1, 'x'.repeat(100)), ins(2, 'y'.repeat(100))], { ...o, maxStatementBytes: 250 });
    expect(plan.inserts.map((g) => g.length)).toEqual([1, 1]);
  });
  it('fails loudly when an image lacks a column', () => {
    expect(() => planBatch([{ kind: 'insert', after: { id: 1 }, position: pos }], o)).toThrow('binlog row image has no column v');
  });
});

describe('keyText', () => {
  it('gives one text for a key whether it came from an image, a result set or an exact literal', () => {
    expect(keyText([new NumericLiteral('18446744073709551615'), 'a'])).toBe(keyText(['18446744073709551615', 'a']));
    expect(keyText([7])).toBe(keyText(['7']));
    expect(keyText([Buffer.from('00ff', 'hex')])).not.toBe(keyText([Buffer.from('00fe', 'hex')]));
  });
});
