import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { migrationFlags, parseMigrationOptions } from '../../src/cli/migration-options.js';
import { parseTlsOptions } from '../../src/cli/tls-options.js';
import { mysql2TlsOptions } from '../../src/db/tls.js';
import { tlsConnectError } from '../../src/db/tls-errors.js';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`fixtures/tls/${name}`, import.meta.url)), 'utf8');
const FILES: Record<string, string> = {
  '/ca.pem': fixture('ca.pem'),
  '/client-cert.pem': fixture('client-cert.pem'),
  '/client-key.pem': fixture('client-key.pem'),
  '/other-key.pem': fixture('other-key.pem'),
  '/encrypted-key.pem': fixture('encrypted-key.pem'),
  '/notes.txt': 'not a certificate\n',
  '/broken.pem': '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
};
const readFile = (p: string): string => {
  const f = FILES[p];
  if (f === undefined) throw new Error(`ENOENT: no such file or directory, open '${p}'`);
  return f;
};
const REQUIRED = ['--database', 'app', '--table', 'users', '--alter', 'ADD COLUMN x INT'];
const parse = (argv: string[]) => parseMigrationOptions(migrationFlags(yargs([...REQUIRED, ...argv])).parseSync(), { env: {}, readFile });

describe('TLS flags', () => {
  it('leave the connection plain without --ssl', () => {
    const r = parse(['--user', 'u']);
    if (!('config' in r)) throw new Error(r.errors.join());
    expect(r.config.connection).toStrictEqual({ host: '127.0.0.1', port: 3306, user: 'u', password: '' });
  });
  it('--ssl alone verifies against Node\'s trusted CAs', () => {
    const r = parse(['--ssl']);
    if (!('config' in r)) throw new Error(r.errors.join());
    expect(r.config.connection.tls).toStrictEqual({ verify: true });
  });
  it('--ssl --ssl-ca reads the CA once, at parse time, and verifies against it', () => {
    const r = parse(['--ssl', '--ssl-ca', '/ca.pem']);
    if (!('config' in r)) throw new Error(r.errors.join());
    expect(r.config.connection.tls).toStrictEqual({ verify: true, ca: FILES['/ca.pem'] });
  });
  it('--ssl-cert and --ssl-key give a client certificate', () => {
    const r = parse(['--ssl', '--ssl-ca', '/ca.pem', '--ssl-cert', '/client-cert.pem', '--ssl-key', '/client-key.pem']);
    if (!('config' in r)) throw new Error(r.errors.join());
    expect(r.config.connection.tls).toStrictEqual({ verify: true, ca: FILES['/ca.pem'], client: { cert: FILES['/client-cert.pem'], key: FILES['/client-key.pem'] } });
  });
  it('--ssl-allow-insecure encrypts without verifying', () => {
    const r = parse(['--ssl', '--ssl-allow-insecure']);
    if (!('config' in r)) throw new Error(r.errors.join());
    expect(r.config.connection.tls).toStrictEqual({ verify: false });
  });

  it('report every bad combination at once, beside the other flags\' problems', () => {
    expect(parse(['--port', '0', '--ssl-ca', '/ca.pem', '--ssl-cert', '/client-cert.pem', '--ssl-allow-insecure'])).toEqual({
      errors: [
        '--port must be a whole number from 1 to 65535 (got 0)',
        '--ssl-ca is used only with --ssl: add --ssl to connect over TLS',
        '--ssl-cert is used only with --ssl: add --ssl to connect over TLS',
        '--ssl-allow-insecure is used only with --ssl: add --ssl to connect over TLS',
        "--ssl-allow-insecure turns off verifying the server's certificate, so --ssl-ca would go unused: drop --ssl-allow-insecure to verify against that CA, or drop --ssl-ca",
        '--ssl-cert needs --ssl-key, the private key of the client certificate',
      ],
    });
    expect(parseTlsOptions({ ssl: true, 'ssl-key': '/client-key.pem' }, readFile).errors).toEqual(['--ssl-key needs --ssl-cert, the client certificate it belongs to']);
  });

  it('report files that are missing, empty names, or not what they should be', () => {
    expect(parseTlsOptions({ ssl: true, 'ssl-ca': '/missing.pem', 'ssl-cert': '/notes.txt', 'ssl-key': '/ca.pem' }, readFile).errors).toEqual([
      "--ssl-ca /missing.pem: cannot read it (ENOENT: no such file or directory, open '/missing.pem')",
      '--ssl-cert /notes.txt: no PEM certificate in it (expected a -----BEGIN CERTIFICATE----- block)',
      '--ssl-key /ca.pem: no PEM private key in it (expected a -----BEGIN PRIVATE KEY----- block)',
    ]);
    expect(parseTlsOptions({ ssl: true, 'ssl-ca': '/broken.pem' }, readFile).errors).toEqual(['--ssl-ca /broken.pem: holds a PEM block that is not a valid certificate']);
    expect(parseTlsOptions({ ssl: true, 'ssl-ca': ' ' }, readFile).errors).toEqual(['--ssl-ca needs a file name']);
    expect(parseTlsOptions({ ssl: true, 'ssl-cert': '/client-cert.pem', 'ssl-key': '/encrypted-key.pem' }, readFile).errors).toEqual([
      '--ssl-key /encrypted-key.pem: the key is encrypted, and oschange asks for no passphrase: give it an unencrypted copy (openssl pkey -in KEY -out PLAIN), readable only by the account that runs oschange',
    ]);
    expect(parseTlsOptions({ ssl: true, 'ssl-cert': '/client-cert.pem', 'ssl-key': '/other-key.pem' }, readFile).errors).toEqual([
      '--ssl-key /other-key.pem is not the private key of --ssl-cert /client-cert.pem: pass the key the certificate was made for',
    ]);
  });
});

describe('mysql2 TLS options', () => {
  it('verify the chain and the name, and reuse one ssl object per settings (mysql2 caches its TLS context on it)', () => {
    const tls = { verify: true, ca: 'CA PEM', client: { cert: 'CERT', key: 'KEY' } };
    const byName = mysql2TlsOptions(tls, 'db1.example.com', 3306);
    expect(byName).toStrictEqual({ ssl: { rejectUnauthorized: true, verifyIdentity: true, minVersion: 'TLSv1.2', ca: 'CA PEM', cert: 'CERT', key: 'KEY' } });
    expect(mysql2TlsOptions(tls, 'db2.example.com', 3306).ssl).toBe(byName.ssl);
  });
  it('open the socket themselves for an IP address, so Node checks the certificate against that address', () => {
    expect(mysql2TlsOptions({ verify: true }, '127.0.0.1', 3306).stream).toBeTypeOf('function');
    expect(mysql2TlsOptions({ verify: true }, '::1', 3306).stream).toBeTypeOf('function');
    expect(mysql2TlsOptions({ verify: false }, '127.0.0.1', 3306)).toStrictEqual({ ssl: { rejectUnauthorized: false, verifyIdentity: false, minVersion: 'TLSv1.2' } });
  });
});

describe('login errors that TLS explains', () => {
  const serverError = (errno: number, message: string): Error => Object.assign(new Error(message), { errno, fatal: true });
  it("name --ssl for MySQL's ER_SECURE_TRANSPORT_REQUIRED", () => {
    const e = tlsConnectError(serverError(3159, 'Connections using insecure transport are prohibited while --require_secure_transport=ON.'), 'db1:3306', false);
    expect(e).toMatchObject({ code: 'TLS_REQUIRED', errno: 3159, exitCode: 3 });
    expect(e?.message).toBe(
      'db1:3306 accepts only encrypted connections (require_secure_transport=ON) and refused this one ' +
        '(Connections using insecure transport are prohibited while --require_secure_transport=ON): ' +
        "connect over TLS with --ssl, and --ssl-ca FILE naming the CA that signed the server's certificate",
    );
  });
  it('name both causes of an access denied without TLS (what MariaDB answers when it requires TLS), and leave it alone over TLS', () => {
    const denied = serverError(1045, "Access denied for user 'app'@'10.0.0.1' (using password: YES)");
    expect(tlsConnectError(denied, 'db1:3306', false)?.message).toBe(
      "db1:3306 refused the login (Access denied for user 'app'@'10.0.0.1' (using password: YES)): check the user and password. " +
        'A server that requires encrypted connections answers the same (MariaDB with require_secure_transport=ON, ' +
        'or an account created with REQUIRE SSL): then connect over TLS with --ssl, and --ssl-ca FILE',
    );
    expect(tlsConnectError(denied, 'db1:3306', true)).toBeUndefined();
  });
  it('tell a failed certificate check from a lost connection during the handshake', () => {
    const handshake = (message: string): Error => Object.assign(new Error(message), { code: 'HANDSHAKE_SSL_ERROR', fatal: true });
    expect(tlsConnectError(handshake('unable to get local issuer certificate'), 'db1:3306', true)?.message).toBe(
      'the TLS certificate of db1:3306 could not be verified (unable to get local issuer certificate): pass --ssl-ca FILE with the CA that signed it, ' +
        'and connect by a host name or IP address the certificate names (its subjectAltName); --ssl-allow-insecure skips the verification, at the price of trusting whoever answers',
    );
    expect(tlsConnectError(handshake('read ECONNRESET'), 'db1:3306', true)).toBeUndefined();
    const noTls = Object.assign(new Error('Server does not support secure connection'), { code: 'HANDSHAKE_NO_SSL_SUPPORT' });
    expect(tlsConnectError(noTls, 'db1:3306', true)?.message).toBe(
      'db1:3306 does not offer TLS, and --ssl asks for it: enable TLS on the server (ssl_cert, ssl_key), or connect without --ssl',
    );
  });
});
