import type { AlterAction, AlterStatement } from './model.js';
import { isWord, type Token } from './tokenize.js';

/**
 * The statement's actions as SQL again, rebuilt from their tokens: the text between two tokens is
 * kept when it is only whitespace, and becomes one space when it held a comment. Nothing the
 * operator wrote can therefore swallow what oschange appends — not a `-- comment`, a `#`, an open
 * `/*` (the tokenizer refuses it), nor a quote (strings are whole tokens).
 */
export function renderActions(statement: AlterStatement): string {
  let out = '';
  for (const action of statement.actions) {
    if (action.tokens.length === 0) continue; // a later column of one `ADD (a …, b …)`
    const text = renderTokens(statement.source, action.tokens);
    out = out === '' ? text : `${out}${isPartitionTail(action) ? ' ' : ', '}${text}`;
  }
  return out;
}

/** Tokens as SQL again: whitespace between them kept (as one space), a comment between them replaced by one space. */
export function renderTokens(source: string, tokens: readonly Token[]): string {
  let out = '';
  let prev: Token | undefined;
  for (const t of tokens) {
    if (prev !== undefined) {
      const gap = source.slice(prev.end, t.start);
      out += /^\s*$/.test(gap) ? gap.replace(/\s+/g, ' ') : ' ';
    }
    out += source.slice(t.start, t.end);
    prev = t;
  }
  return out;
}

/** `PARTITION BY …` and `REMOVE PARTITIONING` follow the other actions without a comma. */
function isPartitionTail(action: AlterAction): boolean {
  const [a, b] = action.tokens;
  return action.kind === 'partition' && ((isWord(a, 'PARTITION') && isWord(b, 'BY')) || (isWord(a, 'REMOVE') && isWord(b, 'PARTITIONING')));
}
