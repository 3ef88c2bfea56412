import { ExitCode, OschangeError } from '../errors.js';
import { errno } from './retry.js';

/**
 * A server with require_secure_transport=ON refuses a login that is not over TLS (or a unix socket).
 * MySQL says so with its own error, ER_SECURE_TRANSPORT_REQUIRED (3159):
 *   https://dev.mysql.com/doc/refman/9.4/en/using-encrypted-connections.html#mandatory-encrypted-connections
 * MariaDB 10.11 answers a plain ER_ACCESS_DENIED_ERROR (1045), "Access denied for user … (using
 * password: YES)", exactly as for a wrong password; so does either server for an account created
 * with REQUIRE SSL. A refused login without TLS therefore names both causes.
 *   https://mariadb.com/kb/en/server-system-variables/#require_secure_transport
 */
const ER_SECURE_TRANSPORT_REQUIRED = 3159;
const ER_ACCESS_DENIED = 1045;

/** OpenSSL's and Node's words for a server certificate that failed verification. */
const VERIFY_FAILURE = /certificate|altnames|self[- ]signed|issuer/i;

/** A login the server refused; `errno` stays readable for code that sorts errors by it. */
export class LoginRefusedError extends OschangeError {
  constructor(
    code: string,
    message: string,
    readonly errno: number,
  ) {
    super(code, message, { exitCode: ExitCode.environment });
    this.name = 'LoginRefusedError';
  }
}

/**
 * The error to show for a failed connection that TLS settings explain, or undefined for any other.
 * None keeps the mysql2 error as its cause: a wrong TLS setting does not get better by reconnecting,
 * and the retry logic reads causes (src/db/transient.ts) to decide that.
 */
export function tlsConnectError(err: unknown, where: string, usingTls: boolean): OschangeError | undefined {
  const message = (err instanceof Error ? err.message : String(err)).replace(/\.+$/, '');
  const code = typeof err === 'object' && err !== null && 'code' in err ? (err as { code: unknown }).code : undefined;
  const n = errno(err);
  if (n === ER_SECURE_TRANSPORT_REQUIRED) {
    return new LoginRefusedError(
      'TLS_REQUIRED',
      `${where} accepts only encrypted connections (require_secure_transport=ON) and refused this one (${message}): ` +
        "connect over TLS with --ssl, and --ssl-ca FILE naming the CA that signed the server's certificate",
      n,
    );
  }
  if (n === ER_ACCESS_DENIED && !usingTls) {
    return new LoginRefusedError(
      'LOGIN_REFUSED',
      `${where} refused the login (${message}): check the user and password. ` +
        'A server that requires encrypted connections answers the same (MariaDB with require_secure_transport=ON, ' +
        'or an account created with REQUIRE SSL): then connect over TLS with --ssl, and --ssl-ca FILE',
      n,
    );
  }
  if (!usingTls) return undefined;
  if (code === 'HANDSHAKE_NO_SSL_SUPPORT') {
    return new OschangeError(
      'TLS_UNAVAILABLE',
      `${where} does not offer TLS, and --ssl asks for it: enable TLS on the server (ssl_cert, ssl_key), or connect without --ssl`,
      { exitCode: ExitCode.environment },
    );
  }
  // mysql2 replaces the code of every TLS handshake failure with HANDSHAKE_SSL_ERROR; the message stays Node's.
  if (code === 'HANDSHAKE_SSL_ERROR' && VERIFY_FAILURE.test(message)) {
    return new OschangeError(
      'TLS_VERIFY_FAILED',
      `the TLS certificate of ${where} could not be verified (${message}): pass --ssl-ca FILE with the CA that signed it, ` +
        'and connect by a host name or IP address the certificate names (its subjectAltName); ' +
        '--ssl-allow-insecure skips the verification, at the price of trusting whoever answers',
      { exitCode: ExitCode.environment },
    );
  }
  return undefined;
}
