import { describe, expect, it } from 'vitest';
import { checkExpression, parseBackfillExpressions, parseSet } from '../../src/backfill/expressions.js';

const where = (text: string) => {
  const r = checkExpression('--where', text, 'a condition');
  return 'error' in r ? r.error : r.text;
};
const set = (text: string) => {
  const r = parseSet(text);
  return 'error' in r ? r.error : r.map((a) => [a.column, a.expression === 'default' ? 'DEFAULT' : a.expression.text]);
};

describe('--where: one expression that cannot leave its parentheses', () => {
  it.each([
    ['phone IS NULL', 'phone IS NULL'],
    ['  created_at < NOW() - INTERVAL 1 DAY  ', 'created_at < NOW() - INTERVAL 1 DAY'],
    ["name LIKE '%;%' AND bio <> '-- not a comment' AND note = \"/* nor this */\"", "name LIKE '%;%' AND bio <> '-- not a comment' AND note = \"/* nor this */\""],
    ["`weird;name` = 'it''s (' AND x = 'a\\'b'", "`weird;name` = 'it''s (' AND x = 'a\\'b'"],
    ['id IN (1, 2, 3) AND (a OR (b AND c))', 'id IN (1, 2, 3) AND (a OR (b AND c))'],
    ['n--1 > 0', 'n--1 > 0'],
    ['TRUE', 'TRUE'],
    ["note = 'why?' OR `odd?col` = \"?\"", "note = 'why?' OR `odd?col` = \"?\""],
  ])('takes %j', (text, kept) => {
    expect(where(text)).toBe(kept);
  });
  it.each([
    ['', '--where is empty: give a condition'],
    ['   ', '--where is empty: give a condition'],
    ['phone IS NULL; DROP TABLE users', '--where holds a ";" at character 14: give a single expression, not statements'],
    ['phone IS NULL -- and the rest', '--where holds a comment at character 15: comments are refused (one could hide the rest of the statement); write the expression without it'],
    ['phone IS NULL # and the rest', '--where holds a comment at character 15: comments are refused (one could hide the rest of the statement); write the expression without it'],
    ['phone /* hidden */ IS NULL', '--where holds a comment at character 7: comments are refused (one could hide the rest of the statement); write the expression without it'],
    ['phone IS NULL /*! OR 1 */', '--where holds an executable comment (/*! OR 1 */…) at character 15: write its content as plain SQL'],
    ['phone IS NULL /*', '--where has a comment opened at character 15 (/*) that is never closed (*/)'],
    ['1) OR (1', '--where has a ")" at character 2 that closes no "("'],
    ['(phone IS NULL', '--where has a "(" at character 1 that is never closed'],
    ['a IN ((1), (2)', '--where has a "(" at character 6 that is never closed'],
    ["name = 'x", "--where has a string opened at character 8 (') that is never closed"],
    ['`name = 1', '--where has an identifier opened at character 1 (`) that is never closed'],
    ['a = 1, b = 2', '--where must be a single expression; it has a "," at character 6 outside any parentheses'],
    ['id > ?', '--where holds a placeholder "?" at character 6: write the value itself (a "?" inside quotes is fine)'],
  ])('refuses %j', (text, error) => {
    expect(where(text)).toBe(error);
  });
});

describe('--set: column = expression, each expression checked alone', () => {
  it('splits assignments at the commas outside parentheses and keeps each expression as written', () => {
    expect(set("phone = '', name = CONCAT(first, ' ', last), `order` = DEFAULT, n = IF(a, 1, 2)")).toEqual([
      ['phone', "''"],
      ['name', "CONCAT(first, ' ', last)"],
      ['order', 'DEFAULT'],
      ['n', 'IF(a, 1, 2)'],
    ]);
    expect(set('`we``ird col` = `a,b` + 1')).toEqual([['we`ird col', '`a,b` + 1']]);
  });
  it.each([
    ['', "--set is empty: give column = expression[, column = expression …], e.g. --set \"phone = ''\""],
    ['phone', '--set must be column = expression[, column = expression …]; "phone" at character 1 is not (name the column alone, without its table)'],
    ['phone =', '--set must be column = expression[, column = expression …]; "phone =" at character 1 is not (name the column alone, without its table)'],
    ['users.phone = 1', '--set must be column = expression[, column = expression …]; "users.phone = 1" at character 1 is not (name the column alone, without its table)'],
    ["= ''", "--set must be column = expression[, column = expression …]; \"= ''\" at character 1 is not (name the column alone, without its table)"],
    ['a = 1,, b = 2', '--set has an empty assignment at character 6: write column = expression, separated by commas'],
    ['a = 1,', '--set has an empty assignment at character 6: write column = expression, separated by commas'],
    ['a = 1, A = 2', '--set assigns A twice'],
    ["phone = '' WHERE 1 = 1; --", '--set holds a comment at character 25: comments are refused (one could hide the rest of the statement); write the expression without it'],
    ["phone = ''; DELETE FROM users", '--set holds a ";" at character 11: give a single expression, not statements'],
    ['phone = (1', '--set has a "(" at character 9 that is never closed'],
    ["phone = '') WHERE (1", '--set has a ")" at character 11 that closes no "("'],
  ])('refuses %j', (text, error) => {
    expect(set(text)).toBe(error);
  });
});

describe('both at once', () => {
  it('reports every problem of --set and --where together', () => {
    expect(parseBackfillExpressions('phone', 'x;')).toEqual({
      errors: [
        '--set must be column = expression[, column = expression …]; "phone" at character 1 is not (name the column alone, without its table)',
        '--where holds a ";" at character 2: give a single expression, not statements',
      ],
    });
  });
});
