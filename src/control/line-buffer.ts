/**
 * Cuts a stream of text chunks into lines: a client may send half a line or several at once.
 * Holds at most `maxPending` characters of an unfinished line so a client that never sends a
 * newline cannot grow the buffer without bound.
 */
export class LineBuffer {
  private pending = '';

  constructor(private readonly maxPending: number) {}

  /**
   * The complete lines so far (newline removed); `pending` when an unfinished line is held,
   * `overflow` when it grew too long (it is then dropped).
   */
  push(chunk: string): { readonly lines: readonly string[]; readonly pending: boolean; readonly overflow: boolean } {
    const parts = (this.pending + chunk).split('\n');
    this.pending = parts.pop() ?? '';
    const overflow = this.pending.length > this.maxPending;
    if (overflow) this.pending = '';
    return { lines: parts, pending: this.pending !== '', overflow };
  }

  /** The unfinished last line when the client ends (`printf status | nc`), unless it is blank. */
  end(): string | undefined {
    const rest = this.pending;
    this.pending = '';
    return rest.trim() === '' ? undefined : rest;
  }
}
