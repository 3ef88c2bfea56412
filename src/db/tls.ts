import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import type { SslOptions } from 'mysql2';

/**
 * How oschange's sessions use TLS (--ssl, --ssl-ca, --ssl-cert, --ssl-key, --ssl-allow-insecure).
 * It travels inside every Endpoint, so each connection to any server — the primary, a replica
 * whose lag is read, the binlog reader's two — is encrypted and verified the same way.
 * The PEM texts are read once, when the flags are parsed.
 */
export interface TlsSettings {
  /**
   * Verify the server: its certificate chain (against `ca`, or Node's trusted CAs) and that the
   * certificate names the host or IP connected to. False only with --ssl-allow-insecure.
   */
  readonly verify: boolean;
  /** PEM text of the CAs to trust (--ssl-ca); undefined: Node's trusted CAs (NODE_EXTRA_CA_CERTS adds more). */
  readonly ca?: string;
  /** A client certificate and its unencrypted key (--ssl-cert, --ssl-key), for servers that ask for one. */
  readonly client?: { readonly cert: string; readonly key: string };
}

/** The mysql2 connection options that make a session to `host` use `tls`. */
export interface Mysql2TlsOptions {
  readonly ssl: SslOptions;
  /** Set for an IP address under verification: opens the TCP socket (see ipSocket). */
  readonly stream?: () => Socket;
}

// mysql2 keeps its TLS context and session cache per `ssl` object, and writes to it
// (rejectUnauthorized): one private, mutable copy per settings object, reused by every session.
const built = new WeakMap<TlsSettings, SslOptions>();

/** For mysql2.createConnection and for zongji, which hands the same options to mysql2. */
export function mysql2TlsOptions(tls: TlsSettings, host: string, port: number): Mysql2TlsOptions {
  let ssl = built.get(tls);
  if (ssl === undefined) {
    ssl = {
      rejectUnauthorized: tls.verify,
      verifyIdentity: tls.verify,
      minVersion: 'TLSv1.2',
      ...(tls.ca === undefined ? {} : { ca: tls.ca }),
      ...(tls.client === undefined ? {} : { cert: tls.client.cert, key: tls.client.key }),
    };
    built.set(tls, ssl);
  }
  return tls.verify && isIP(host) !== 0 ? { ssl, stream: () => ipSocket(host, port) } : { ssl };
}

/**
 * Node checks the certificate's names against `servername || host || socket._host || 'localhost'`
 * (lib/_tls_wrap.js, onConnectSecure). For an IP address mysql2 passes no servername (SNI may not be
 * an IP) and no host, and Node sets `_host` only for names it looked up: 127.0.0.1 would be checked
 * as "localhost" and fail. So the socket is opened here, as mysql2 would, and remembers the address;
 * Node then matches it against the certificate's IP subjectAltNames. Should Node stop reading
 * `_host`, the check falls back to "localhost" and refuses a certificate that does not name it:
 * it fails closed (test/integration/tls.test.ts connects by IP).
 */
function ipSocket(host: string, port: number): Socket {
  // What mysql2 does to its own socket: no Nagle delay, keep-alive on (enableKeepAlive's default).
  const socket = tcpConnect({ port, host, noDelay: true, keepAlive: true });
  (socket as Socket & { _host: string | null })._host = host;
  return socket;
}
