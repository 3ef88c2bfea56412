import { describe, expect, it } from 'vitest';
import { LineBuffer } from '../../src/control/line-buffer.js';
import { defaultSocketPath, MAX_SOCKET_PATH_BYTES } from '../../src/control/socket-path.js';

describe('LineBuffer', () => {
  it('joins half lines and splits several at once', () => {
    const b = new LineBuffer(100);
    expect(b.push('chunk-si')).toEqual({ lines: [], pending: true, overflow: false });
    expect(b.push('ze=500\nsup\r\nhel')).toEqual({ lines: ['chunk-size=500', 'sup\r'], pending: true, overflow: false });
    expect(b.push('p\n')).toEqual({ lines: ['help'], pending: false, overflow: false });
    expect(b.push('\n\n')).toEqual({ lines: ['', ''], pending: false, overflow: false });
  });
  it('hands over an unfinished last line at the end, unless blank', () => {
    const b = new LineBuffer(100);
    b.push('sup\nstatus');
    expect(b.end()).toBe('status');
    expect(b.end()).toBeUndefined();
    b.push('  ');
    expect(b.end()).toBeUndefined();
  });
  it('drops an unfinished line that grows past the limit', () => {
    const b = new LineBuffer(10);
    expect(b.push('0123456789')).toEqual({ lines: [], pending: true, overflow: false });
    expect(b.push('x')).toEqual({ lines: [], pending: false, overflow: true });
    expect(b.end()).toBeUndefined();
  });
});

describe('defaultSocketPath', () => {
  it('follows gh-ost\'s /tmp/<tool>.<db>.<table>.sock', () => {
    expect(defaultSocketPath('app', 'users')).toBe('/tmp/oschange.app.users.sock');
    expect(defaultSocketPath('my-db', 'Order_Items')).toBe('/tmp/oschange.my-db.Order_Items.sock');
  });
  it('tames odd names and adds a hash so distinct tables never share a socket', () => {
    const a = defaultSocketPath('app', 'we ird/`t`');
    expect(a).toMatch(/^\/tmp\/oschange\.app\.we_ird__t_\.[0-9a-f]{8}\.sock$/);
    expect(defaultSocketPath('app', 'we_ird__t_')).toBe('/tmp/oschange.app.we_ird__t_.sock');
    expect(defaultSocketPath('a.b', 'c')).not.toBe(defaultSocketPath('a', 'b.c'));
    expect(defaultSocketPath('app', 'we ird/`t`')).toBe(a);
  });
  it('stays short enough for a unix socket with 64-character names', () => {
    const p = defaultSocketPath('d'.repeat(64), 't'.repeat(64));
    expect(Buffer.byteLength(p)).toBeLessThanOrEqual(MAX_SOCKET_PATH_BYTES);
    expect(p).toMatch(/^\/tmp\/oschange\.d{36}\.t{36}\.[0-9a-f]{8}\.sock$/);
    expect(Buffer.byteLength(defaultSocketPath('ü'.repeat(64), '😀'.repeat(64)))).toBeLessThanOrEqual(MAX_SOCKET_PATH_BYTES);
  });
});
