import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkAuthLine, sameToken } from '../../src/control/auth.js';
import { readTokenFile } from '../../src/control/token-file.js';

const TOKEN = 'k9Xq2v7LmP4sT8wZ';

describe('checkAuthLine', () => {
  it('accepts "auth <token>" and nothing else', () => {
    expect(checkAuthLine(`auth ${TOKEN}`, TOKEN)).toEqual({ ok: true, reply: 'auth: ok' });
    expect(checkAuthLine(`  AUTH ${TOKEN} \r`, TOKEN)).toEqual({ ok: true, reply: 'auth: ok' });
    expect(checkAuthLine('auth wrong-token-wrong-token', TOKEN)).toEqual({ ok: false, close: true, reply: 'ERROR: authentication failed: wrong token; closing' });
    for (const line of ['status', 'auth', `auth ${TOKEN} extra`, TOKEN]) {
      expect(checkAuthLine(line, TOKEN)).toEqual({
        ok: false,
        close: true,
        reply: 'ERROR: authentication required: send "auth <token>" first (the token in the --serve-tcp-token-file file); closing',
      });
    }
  });
  it('compares tokens whatever their lengths', () => {
    expect(sameToken(TOKEN, TOKEN)).toBe(true);
    expect(sameToken(`${TOKEN}x`, TOKEN)).toBe(false);
    expect(sameToken('', TOKEN)).toBe(false);
  });
});

describe('readTokenFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oschange-token-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string, mode: number): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    chmodSync(p, mode);
    return p;
  };
  it('reads the first line of a file only its owner can read', async () => {
    expect(await readTokenFile(file('ok', `${TOKEN}\n`, 0o600))).toBe(TOKEN);
    expect(await readTokenFile(file('ro', `  ${TOKEN}  \nsecond line\n`, 0o400))).toBe(TOKEN);
  });
  it('refuses a file others can read, saying chmod 600', async () => {
    const p = file('shared', TOKEN, 0o644);
    await expect(readTokenFile(p)).rejects.toMatchObject({
      code: 'CONTROL_TOKEN_FILE',
      exitCode: 2,
      message: `--serve-tcp-token-file ${p} is readable or writable by group or others (mode 0644); run: chmod 600 ${p}`,
    });
    const g = file('group', TOKEN, 0o640);
    await expect(readTokenFile(g)).rejects.toThrow(`(mode 0640); run: chmod 600 ${g}`);
  });
  it('refuses a missing file, a short token, and no file at all', async () => {
    await expect(readTokenFile(join(dir, 'missing'))).rejects.toThrow(/^--serve-tcp-token-file .*missing: cannot read it \(ENOENT/);
    const short = file('short', 'abc\n', 0o600);
    await expect(readTokenFile(short)).rejects.toThrow(`--serve-tcp-token-file ${short} must hold a token of at least 16 characters without spaces on its first line`);
    await expect(readTokenFile(undefined)).rejects.toThrow(/^--serve-tcp-port needs --serve-tcp-token-file FILE/);
  });
});
