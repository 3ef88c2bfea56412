import { describe, expect, it } from 'vitest';
import { readOnlySelectProblem } from '../../src/throttle/read-only-select.js';

describe('readOnlySelectProblem (throttle-query from the socket)', () => {
  it.each([
    'SELECT 1',
    'select HOUR(NOW()) between 8 and 17',
    "SELECT COUNT(*) > 50 FROM information_schema.PROCESSLIST WHERE COMMAND <> 'Sleep'",
    "SELECT v FROM app.throttle_ctl WHERE note = 'for update; into -- # /* lock'",
    'SELECT `intake`.v FROM app.t AS `intake`',
    "SELECT 'it''s', \"say \\\"hi\\\"\", 'back\\\\slash'",
    '  SELECT(1)  ',
    'SELECT 5 - -1',
    // One string, as the server reads it with backslash escapes on: the quote after a\ is escaped.
    "SELECT 'a\\'; DROP TABLE t; -- '",
  ])('accepts %s', (sql) => {
    expect(readOnlySelectProblem(sql)).toBeUndefined();
  });

  it.each([
    ['', 'it must be a single SELECT'],
    ['SHOW STATUS', 'it must be a single SELECT'],
    ['DELETE FROM t', 'it must be a single SELECT'],
    ['WITH x AS (SELECT 1) SELECT * FROM x', 'it must be a single SELECT'],
    ['SELECTED', 'it must be a single SELECT'],
    ['SELECT 1;', 'it must be a single statement (no ";")'],
    ['SELECT 1; DROP TABLE t', 'it must be a single statement (no ";")'],
    ["SELECT 'open", 'it has an unterminated quoted string or identifier'],
    ["SELECT 'a\\\\'; DROP TABLE t", 'it must be a single statement (no ";")'],
    ['SELECT 1 /*!50000 INTO OUTFILE "/tmp/x" */', 'it must not contain comments (/* */, --, #)'],
    ['SELECT 1 -- x', 'it must not contain comments (/* */, --, #)'],
    ['SELECT 1 # x', 'it must not contain comments (/* */, --, #)'],
    ['SELECT v INTO @x FROM t', 'it must not write anything (no INTO)'],
    ['SELECT * FROM t INTO OUTFILE "/tmp/x"', 'it must not write anything (no INTO)'],
    ['SELECT v FROM t FOR UPDATE', 'it must not take row locks (no FOR UPDATE, FOR SHARE, LOCK IN SHARE MODE)'],
    ['SELECT v FROM t for  share nowait', 'it must not take row locks (no FOR UPDATE, FOR SHARE, LOCK IN SHARE MODE)'],
    ['SELECT v FROM t LOCK IN SHARE MODE', 'it must not take row locks (no FOR UPDATE, FOR SHARE, LOCK IN SHARE MODE)'],
    ['SELECT SLEEP(5)', 'it must not call SLEEP() (locks, waits, sleeps and file reads are refused)'],
    ['SELECT sleep (5)', 'it must not call SLEEP() (locks, waits, sleeps and file reads are refused)'],
    ['SELECT `sleep`(5)', 'it must not call SLEEP() (locks, waits, sleeps and file reads are refused)'],
    ["SELECT GET_LOCK('x', 10)", 'it must not call GET_LOCK() (locks, waits, sleeps and file reads are refused)'],
    ['SELECT BENCHMARK(100000000, MD5(1))', 'it must not call BENCHMARK() (locks, waits, sleeps and file reads are refused)'],
    ["SELECT LOAD_FILE('/etc/passwd')", 'it must not call LOAD_FILE() (locks, waits, sleeps and file reads are refused)'],
    ["SELECT MASTER_POS_WAIT('b.000001', 4)", 'it must not call MASTER_POS_WAIT() (locks, waits, sleeps and file reads are refused)'],
    ["SELECT SOURCE_POS_WAIT('b.000001', 4)", 'it must not call SOURCE_POS_WAIT() (locks, waits, sleeps and file reads are refused)'],
  ])('refuses %s', (sql, problem) => {
    expect(readOnlySelectProblem(sql)).toBe(problem);
  });
});
