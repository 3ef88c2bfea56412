import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import type { TlsSettings } from '../db/tls.js';

/** gh-ost's TLS flags, as yargs hands them over. */
export interface RawTlsOptions {
  readonly ssl?: boolean | undefined;
  readonly 'ssl-ca'?: string | undefined;
  readonly 'ssl-cert'?: string | undefined;
  readonly 'ssl-key'?: string | undefined;
  readonly 'ssl-allow-insecure'?: boolean | undefined;
}

export const TLS_FLAG_HELP = {
  ssl: "connect over TLS, every connection (primary, replicas, binlog reader); the server's certificate and name are verified, against Node's trusted CAs unless --ssl-ca is given",
  'ssl-ca': "PEM file of the CA(s) that signed the servers' certificates: verify against it (with --ssl)",
  'ssl-cert': 'PEM file of a client certificate, for servers that ask for one (with --ssl and --ssl-key)',
  'ssl-key': 'PEM file of the unencrypted private key of --ssl-cert',
  'ssl-allow-insecure': "with --ssl: encrypt, but do not verify the server's certificate (anyone in the path can pose as the server)",
} as const;

/**
 * Validates the TLS flags and reads their files once, here, so that a bad file is a usage error
 * before anything connects. Every problem is reported; `tls` is undefined without --ssl.
 */
export function parseTlsOptions(raw: RawTlsOptions, readFile: (path: string) => string): { tls: TlsSettings | undefined; errors: string[] } {
  const errors: string[] = [];
  const ssl = raw.ssl === true;
  const insecure = raw['ssl-allow-insecure'] === true;
  for (const name of ['ssl-ca', 'ssl-cert', 'ssl-key'] as const) {
    if (raw[name] !== undefined && !ssl) errors.push(`--${name} is used only with --ssl: add --ssl to connect over TLS`);
  }
  if (insecure && !ssl) errors.push('--ssl-allow-insecure is used only with --ssl: add --ssl to connect over TLS');
  if (insecure && raw['ssl-ca'] !== undefined) {
    errors.push("--ssl-allow-insecure turns off verifying the server's certificate, so --ssl-ca would go unused: drop --ssl-allow-insecure to verify against that CA, or drop --ssl-ca");
  }
  if (raw['ssl-cert'] !== undefined && raw['ssl-key'] === undefined) errors.push('--ssl-cert needs --ssl-key, the private key of the client certificate');
  if (raw['ssl-key'] !== undefined && raw['ssl-cert'] === undefined) errors.push('--ssl-key needs --ssl-cert, the client certificate it belongs to');

  const read = (name: string, path: string | undefined): string | undefined => {
    if (path === undefined) return undefined;
    if (path.trim() === '') {
      errors.push(`--${name} needs a file name`);
      return undefined;
    }
    try {
      return readFile(path);
    } catch (err) {
      errors.push(`--${name} ${path}: cannot read it (${err instanceof Error ? err.message : String(err)})`);
      return undefined;
    }
  };
  const ca = read('ssl-ca', raw['ssl-ca']);
  const cert = read('ssl-cert', raw['ssl-cert']);
  const key = read('ssl-key', raw['ssl-key']);
  if (ca !== undefined) certificates('ssl-ca', raw['ssl-ca'] ?? '', ca, errors);
  const clientCert = cert === undefined ? undefined : certificates('ssl-cert', raw['ssl-cert'] ?? '', cert, errors)?.[0];
  const clientKey = key === undefined ? undefined : privateKey(raw['ssl-key'] ?? '', key, errors);
  if (clientCert !== undefined && clientKey !== undefined && !clientCert.checkPrivateKey(clientKey)) {
    errors.push(`--ssl-key ${raw['ssl-key'] ?? ''} is not the private key of --ssl-cert ${raw['ssl-cert'] ?? ''}: pass the key the certificate was made for`);
  }

  if (errors.length > 0 || !ssl) return { tls: undefined, errors };
  return {
    tls: {
      verify: !insecure,
      ...(ca === undefined ? {} : { ca }),
      ...(cert === undefined || key === undefined ? {} : { client: { cert, key } }),
    },
    errors,
  };
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The PEM certificates in a file, or undefined (and an error) when it holds none or a broken one. */
function certificates(name: string, path: string, text: string, errors: string[]): X509Certificate[] | undefined {
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    errors.push(`--${name} ${path}: no PEM certificate in it (expected a -----BEGIN CERTIFICATE----- block)`);
    return undefined;
  }
  try {
    return blocks.map((b) => new X509Certificate(b));
  } catch {
    errors.push(`--${name} ${path}: holds a PEM block that is not a valid certificate`);
    return undefined;
  }
}

function privateKey(path: string, text: string, errors: string[]): KeyObject | undefined {
  // PKCS#8 ("BEGIN ENCRYPTED PRIVATE KEY") and traditional ("Proc-Type: 4,ENCRYPTED") encrypted keys.
  if (/ENCRYPTED/.test(text)) {
    errors.push(`--ssl-key ${path}: the key is encrypted, and oschange asks for no passphrase: give it an unencrypted copy (openssl pkey -in KEY -out PLAIN), readable only by the account that runs oschange`);
    return undefined;
  }
  try {
    return createPrivateKey({ key: text, format: 'pem' });
  } catch {
    errors.push(`--ssl-key ${path}: no PEM private key in it (expected a -----BEGIN PRIVATE KEY----- block)`);
    return undefined;
  }
}
