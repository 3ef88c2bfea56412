/**
 * Whether a socket user's `throttle-query=` text is one read-only SELECT we are willing to run on
 * the primary every 100 ms: returns the problem, or undefined when it is acceptable.
 *
 * The socket is a weaker boundary than the command line (anyone who can reach it may send this),
 * so the text is judged conservatively — a harmless query that trips a rule can still be given
 * with --throttle-query, or allowed with --allow-socket-throttle-query-any. Every throttle query
 * also runs in a READ ONLY transaction with a time limit (src/throttle/throttle-query.ts); these
 * rules cover what that does not: locks, waits, files, and statements beyond the first.
 */
export function readOnlySelectProblem(sql: string): string | undefined {
  const text = sql.trim();
  if (!/^select\b/i.test(text)) return 'it must be a single SELECT';
  const code = withoutLiterals(text);
  if (code === undefined) return 'it has an unterminated quoted string or identifier';
  if (code.includes(';')) return 'it must be a single statement (no ";")';
  // MySQL runs the inside of /*! … */ as SQL, so no comment may hide anything.
  if (/\/\*|\*\/|--|#/.test(code)) return 'it must not contain comments (/* */, --, #)';
  if (/\binto\b/i.test(code)) return 'it must not write anything (no INTO)';
  if (/\bfor\s+(update|share)\b|\block\b/i.test(code)) return 'it must not take row locks (no FOR UPDATE, FOR SHARE, LOCK IN SHARE MODE)';
  const call = new RegExp(`\\b(${FORBIDDEN_FUNCTIONS.join('|')})\\s*\\(`, 'i').exec(code);
  if (call?.[1] !== undefined) return `it must not call ${call[1].toUpperCase()}() (locks, waits, sleeps and file reads are refused)`;
  return undefined;
}

/**
 * Functions that lock, wait, sleep, burn CPU on purpose or read files. A user-defined function
 * could do anything, but it needs CREATE FUNCTION on the server, which a socket user does not have.
 */
const FORBIDDEN_FUNCTIONS = [
  'get_lock', 'release_lock', 'release_all_locks', 'is_free_lock', 'is_used_lock',
  'sleep', 'benchmark', 'load_file',
  'master_pos_wait', 'source_pos_wait', 'master_gtid_wait', 'wait_for_executed_gtid_set', 'wait_until_sql_thread_after_gtids',
  'sys_exec', 'sys_eval',
];

/**
 * The text with every string literal blanked and every backquoted identifier unquoted (so that
 * `` `sleep`(1) `` is still seen), as the server reads them in oschange's sessions: backslash
 * escapes on, '' and "" doubled quotes, "…" a string (no ANSI_QUOTES; src/db/session.ts).
 * Undefined when a quote is left open.
 */
function withoutLiterals(text: string): string | undefined {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (c !== "'" && c !== '"' && c !== '`') {
      out += c;
      i++;
      continue;
    }
    let j = i + 1;
    let inner = '';
    for (;;) {
      if (j >= text.length) return undefined;
      const d = text.charAt(j);
      if (c !== '`' && d === '\\') {
        j += 2;
        continue;
      }
      if (d === c) {
        if (text.charAt(j + 1) === c) {
          inner += d;
          j += 2;
          continue;
        }
        break;
      }
      inner += d;
      j++;
    }
    out += c === '`' ? ` ${inner} ` : " '' ";
    i = j + 1;
  }
  return out;
}
