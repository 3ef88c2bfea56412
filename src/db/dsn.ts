import type { TlsSettings } from './tls.js';

/**
 * Connection endpoints and their DSN form, `mysql://user:password@host:port/database`.
 * The DSN is what `oschange sandbox up` prints and what OSCHANGE_TEST_DSN accepts; it has no TLS part.
 */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database?: string;
  /** Absent: plain TCP. Every endpoint derived from this one (`{ ...e, host, port }`) keeps it. */
  readonly tls?: TlsSettings;
}

export function formatDsn(e: Endpoint): string {
  const auth = `${encodeURIComponent(e.user)}${e.password === '' ? '' : ':' + encodeURIComponent(e.password)}`;
  const db = e.database === undefined ? '' : '/' + encodeURIComponent(e.database);
  return `mysql://${auth}@${e.host}:${e.port}${db}`;
}

export function parseDsn(dsn: string): Endpoint {
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    throw new Error(`not a DSN: ${JSON.stringify(redactDsn(dsn))}; expected mysql://user:password@host:port/database`);
  }
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') {
    throw new Error(`DSN must start with mysql:// (got ${url.protocol}//)`);
  }
  if (url.hostname === '') throw new Error('DSN has no host');
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const endpoint: Endpoint = {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? 3306 : Number(url.port),
    user: decodeURIComponent(url.username) || 'root',
    password: decodeURIComponent(url.password),
  };
  return database === '' ? endpoint : { ...endpoint, database };
}

/** The DSN with its password masked, for messages and logs. */
export function redactDsn(dsn: string): string {
  return dsn.replace(/^([a-z]+:\/\/[^:@/]*:)[^@]*@/i, '$1***@');
}

/** The command line a person types to reach the endpoint with the mysql/mariadb client. */
export function clientCommand(e: Endpoint, client = 'mysql'): string {
  const parts = [client, `-h${e.host}`, `-P${e.port}`, `-u${e.user}`, '--default-character-set=utf8mb4'];
  if (e.password !== '') parts.push(`-p${e.password}`);
  if (e.database !== undefined) parts.push(e.database);
  return parts.map(shellWord).join(' ');
}

function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}
