import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway PKI for one test: files on the host, and the server flags that use them. */
export interface TestCerts {
  /** The CA that signed the server and client certificates. */
  readonly caFile: string;
  /** A CA that signed nothing here: verification against it must fail. */
  readonly otherCaFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** The server's certificate and key on the host: a test may replace them and have the server reload them. */
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  /** A certificate and key from the same CA for IP 127.0.0.2 only: verifying 127.0.0.1 against it must fail. */
  readonly otherIpCertFile: string;
  readonly otherIpKeyFile: string;
  /** `--ssl-ca=… --ssl-cert=… --ssl-key=…` with the paths as the server sees them (inside its rootfs). */
  readonly serverArgs: readonly string[];
  remove(): void;
}

/**
 * Generates a CA, a server certificate for IP 127.0.0.1 (subjectAltName: what a client verifying
 * the host checks) and a client certificate, with openssl. RSA 2048 / SHA-256: what both servers'
 * OpenSSL builds accept. `rootfs` is the server's root ('' for the host, the chroot for MySQL):
 * the files go inside it so the server can read them.
 */
export function makeTestCerts(rootfs: string): TestCerts {
  const dir = mkdtempSync(join(rootfs === '' ? tmpdir() : join(rootfs, 'tmp'), 'oschange-tls-'));
  const f = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const ca = (name: string, cn: string): void => {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '3650', '-subj', `/CN=${cn}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      '-keyout', f(`${name}-key.pem`), '-out', f(`${name}.pem`));
  };
  const signed = (name: string, cn: string, extensions: string): void => {
    writeFileSync(f(`${name}.ext`), extensions);
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-subj', `/CN=${cn}`, '-keyout', f(`${name}-key.pem`), '-out', f(`${name}.csr`));
    openssl('x509', '-req', '-sha256', '-days', '3650', '-in', f(`${name}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca-key.pem'),
      '-set_serial', String(Date.now()), '-extfile', f(`${name}.ext`), '-out', f(`${name}-cert.pem`));
  };
  ca('ca', 'oschange test CA');
  ca('other-ca', 'some other CA');
  signed('server', 'oschange test server', 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n');
  signed('other-ip', 'oschange test server elsewhere', 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.2\n');
  signed('client', 'oschange', 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n');
  const inner = (name: string): string => f(name).slice(rootfs.length);
  return {
    caFile: f('ca.pem'),
    otherCaFile: f('other-ca.pem'),
    clientCertFile: f('client-cert.pem'),
    clientKeyFile: f('client-key.pem'),
    serverCertFile: f('server-cert.pem'),
    serverKeyFile: f('server-key.pem'),
    otherIpCertFile: f('other-ip-cert.pem'),
    otherIpKeyFile: f('other-ip-key.pem'),
    serverArgs: [`--ssl-ca=${inner('ca.pem')}`, `--ssl-cert=${inner('server-cert.pem')}`, `--ssl-key=${inner('server-key.pem')}`],
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
