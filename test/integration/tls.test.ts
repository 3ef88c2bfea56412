import type { ChildProcess } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, queryRows, queryValue, type Connection } from '../../src/db/connect.js';
import type { TlsSettings } from '../../src/db/tls.js';
import { findInstall, type SandboxFlavor } from '../../src/sandbox/install.js';
import { startSandbox, type LocalSandbox } from '../../src/sandbox/sandbox.js';
import { seedUsers } from '../../src/sandbox/seed.js';
import { tableChecksum } from '../../src/sql/checksum.js';
import { exited, spawnCli, waitUntil } from '../helpers/processes.js';
import { testServers } from '../helpers/servers.js';
import { makeTestCerts, type TestCerts } from '../helpers/tls-certs.js';

const COLUMNS = ['id', 'email', 'name', 'score', 'balance', 'created_at', 'updated_at', 'bio'];
// Its own pair per flavor: these servers require TLS, which the shared pair must not.
const flavors = testServers().map((s) => s.name).filter((n): n is SandboxFlavor => n === 'mysql' || n === 'mariadb');

interface CliResult {
  readonly code: number | null;
  readonly err: string;
  /** The last line of stderr: the one line an operator reads when oschange stops. */
  readonly last: string;
}

function startCli(args: string[]): { child: ChildProcess; result: Promise<CliResult> } {
  const child = spawnCli(args);
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout?.resume();
  return { child, result: exited(child).then((code) => ({ code, err, last: err.trimEnd().split('\n').pop() ?? '' })) };
}

const cli = (args: string[]): Promise<CliResult> => startCli(args).result;

/** Sessions opened after `mark` (a connection id), as the server's general log recorded their login. */
async function logins(conn: Connection, mark: number): Promise<{ id: number; login: string }[]> {
  const rows = await queryRows(
    conn,
    "SELECT thread_id AS id, CONVERT(argument USING utf8mb4) AS login FROM mysql.general_log WHERE command_type = 'Connect' AND thread_id > ? ORDER BY thread_id",
    [mark],
  );
  return rows.map((r) => ({ id: Number(r['id']), login: String(r['login']) }));
}

/** The newest session id in the general log: later ones are opened after this point. */
async function logMark(conn: Connection): Promise<number> {
  return Number(await queryValue(conn, 'SELECT COALESCE(MAX(thread_id), 0) FROM mysql.general_log'));
}

async function binlogDumpThreads(conn: Connection, mark: number): Promise<number[]> {
  const rows = await queryRows(conn, "SELECT DISTINCT thread_id AS id FROM mysql.general_log WHERE command_type LIKE 'Binlog Dump%' AND thread_id > ?", [mark]);
  return rows.map((r) => Number(r['id']));
}

async function tables(conn: Connection): Promise<string[]> {
  return (await queryRows(conn, "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'app' ORDER BY TABLE_NAME")).map((r) => String(r['t']));
}

async function reloadTls(conn: Connection, flavor: SandboxFlavor): Promise<void> {
  // https://dev.mysql.com/doc/refman/9.4/en/alter-instance.html · https://mariadb.com/kb/en/flush/ (FLUSH SSL)
  await conn.query(flavor === 'mysql' ? 'ALTER INSTANCE RELOAD TLS' : 'FLUSH SSL');
}

describe.each(flavors)('TLS on a %s pair that requires it', (flavor) => {
  let certs: TestCerts;
  let sandbox: LocalSandbox;
  let admin: Connection;
  let replicaAdmin: Connection;
  let tls: TlsSettings;
  const socket = `/tmp/oschange-tls-${flavor}-${process.pid}.sock`;
  const base = (): string[] => {
    const a = sandbox.primary.app;
    return ['--host', a.host, '--port', String(a.port), '--user', a.user, '--password', a.password, '--database', 'app', '--table', 'users', '--serve-socket-file', socket];
  };
  const checksum = async (): Promise<unknown> => (await queryRows(admin, tableChecksum('app', 'users', COLUMNS).sql))[0];

  beforeAll(async () => {
    certs = makeTestCerts(findInstall(flavor).rootfs);
    tls = { verify: true, ca: readFileSync(certs.caFile, 'utf8') };
    sandbox = await startSandbox({
      flavor,
      // The general log (as a table) records every login with its transport: "… using SSL/TLS".
      extraServerArgs: ['--require-secure-transport=ON', ...certs.serverArgs, '--general-log=ON', '--log-output=TABLE'],
      tls,
    });
    admin = await connect({ ...sandbox.primary.admin, database: 'app' });
    replicaAdmin = await connect(sandbox.replica.admin);
    await seedUsers(admin, { database: 'app', rows: 3000 });
  });
  afterAll(async () => {
    await admin?.end();
    await replicaAdmin?.end();
    await sandbox?.stop({ graceMs: 3000 });
    certs?.remove();
  });

  it('without --ssl: stops with a message that names --ssl, and changes nothing', async () => {
    const before = { tables: await tables(admin), sum: await checksum() };
    const r = await cli([...base(), '--alter', 'ADD COLUMN phone VARCHAR(20)', '--execute']);
    expect(r.code, r.err).toBe(3);
    const where = `127.0.0.1:${sandbox.primary.port}`;
    expect(r.last).toBe(
      flavor === 'mysql'
        ? `oschange: ${where} accepts only encrypted connections (require_secure_transport=ON) and refused this one ` +
            '(Connections using insecure transport are prohibited while --require_secure_transport=ON): ' +
            "connect over TLS with --ssl, and --ssl-ca FILE naming the CA that signed the server's certificate"
        : // MariaDB answers a plain "access denied" (src/db/tls-errors.ts).
          `oschange: ${where} refused the login (Access denied for user 'oschange'@'127.0.0.1' (using password: YES)): check the user and password. ` +
            'A server that requires encrypted connections answers the same (MariaDB with require_secure_transport=ON, ' +
            'or an account created with REQUIRE SSL): then connect over TLS with --ssl, and --ssl-ca FILE',
    );
    expect({ tables: await tables(admin), sum: await checksum() }).toEqual(before);
  });

  it('with --ssl --ssl-ca: migrates, and every session it opened — binlog dump and replica lag reader included — used TLS', async () => {
    const sum = await checksum();
    const primaryMark = await logMark(admin);
    const replicaMark = await logMark(replicaAdmin);
    // The cut-over waits for this flag to go, so the test can see the binlog reader and the lag
    // reader at work however fast the copy is.
    const flag = `/tmp/oschange-tls-postpone-${flavor}-${process.pid}`;
    writeFileSync(flag, '');
    const run = startCli([...base(), '--alter', 'ADD COLUMN phone VARCHAR(20)', '--execute', '--ok-to-drop-table', '--ssl', '--ssl-ca', certs.caFile, '--postpone-cut-over-flag-file', flag]);
    /** oschange's sessions so far; a plain one fails the test at once (its connection is refused and the run would throttle or hang). */
    const encryptedSessions = async (conn: Connection, mark: number): Promise<number[]> => {
      const ours = (await logins(conn, mark)).filter((l) => l.login.startsWith('oschange@'));
      const plain = ours.filter((l) => !l.login.endsWith(' using SSL/TLS'));
      if (plain.length > 0) throw new Error(`oschange opened sessions without TLS: ${JSON.stringify(plain)}`);
      return ours.map((l) => l.id);
    };
    try {
      await waitUntil(async () => {
        const ours = await encryptedSessions(admin, primaryMark);
        return (await binlogDumpThreads(admin, primaryMark)).some((id) => ours.includes(id));
      }, 60_000, 'oschange to start its binlog dump on the primary');
      await waitUntil(async () => (await encryptedSessions(replicaAdmin, replicaMark)).length > 0, 60_000, 'the lag reader to log in to the replica');
    } catch (err) {
      run.child.kill('SIGKILL');
      throw err;
    } finally {
      rmSync(flag, { force: true });
    }
    const r = await run.result;
    expect(r.code, r.err).toBe(0);
    expect((await queryRows(admin, 'SHOW COLUMNS FROM app.users')).map((c) => c['Field'])).toContain('phone');
    expect(await checksum()).toEqual(sum);

    const primary = await logins(admin, primaryMark);
    const replica = await logins(replicaAdmin, replicaMark);
    // Every login since the mark, oschange's and the test's own, was encrypted.
    expect(primary.filter((l) => !l.login.endsWith(' using SSL/TLS'))).toEqual([]);
    expect(replica.filter((l) => !l.login.endsWith(' using SSL/TLS'))).toEqual([]);
    const ours = primary.filter((l) => l.login.startsWith('oschange@'));
    // control, copy, applier, checkpoint, throttle checks, zongji's two, cut-over, cleanup …
    expect(ours.length).toBeGreaterThanOrEqual(5);
    const dumps = (await binlogDumpThreads(admin, primaryMark)).filter((id) => ours.some((l) => l.id === id));
    expect(dumps.length).toBeGreaterThanOrEqual(1);
    expect(replica.filter((l) => l.login.startsWith('oschange@')).length).toBeGreaterThanOrEqual(1);
  });

  it('with a CA that did not sign the server certificate, or none (Node\'s CAs), refuses the server; --ssl-allow-insecure then works', async () => {
    const before = { tables: await tables(admin), sum: await checksum() };
    const where = `127.0.0.1:${sandbox.primary.port}`;
    const refused =
      `oschange: the TLS certificate of ${where} could not be verified (self-signed certificate in certificate chain): ` +
      'pass --ssl-ca FILE with the CA that signed it, and connect by a host name or IP address the certificate names (its subjectAltName); ' +
      '--ssl-allow-insecure skips the verification, at the price of trusting whoever answers';
    const alter = ['--alter', 'ADD COLUMN nick VARCHAR(20)', '--execute', '--ok-to-drop-table'];
    const wrongCa = await cli([...base(), ...alter, '--ssl', '--ssl-ca', certs.otherCaFile]);
    expect(wrongCa.code, wrongCa.err).toBe(3);
    expect(wrongCa.last).toBe(refused);
    const noCa = await cli([...base(), ...alter, '--ssl']);
    expect(noCa.code, noCa.err).toBe(3);
    expect(noCa.last).toBe(refused);
    expect({ tables: await tables(admin), sum: await checksum() }).toEqual(before);

    const insecure = await cli([...base(), ...alter, '--ssl', '--ssl-allow-insecure']);
    expect(insecure.code, insecure.err).toBe(0);
    expect((await queryRows(admin, 'SHOW COLUMNS FROM app.users')).map((c) => c['Field'])).toContain('nick');
    expect(await checksum()).toEqual(before.sum);
  });

  it('checks the certificate against the IP address connected to', async () => {
    const keep = { cert: readFileSync(certs.serverCertFile), key: readFileSync(certs.serverKeyFile) };
    copyFileSync(certs.otherIpCertFile, certs.serverCertFile);
    copyFileSync(certs.otherIpKeyFile, certs.serverKeyFile);
    try {
      await reloadTls(admin, flavor);
      // A settings object of its own: no TLS session to resume from the connections before.
      const fresh: TlsSettings = { verify: true, ca: tls.ca ?? '' };
      await expect(connect({ ...sandbox.primary.app, tls: fresh })).rejects.toMatchObject({
        code: 'TLS_VERIFY_FAILED',
        message: expect.stringContaining("(Hostname/IP does not match certificate's altnames: IP: 127.0.0.1 is not in the cert's list: 127.0.0.2)"),
      });
      const insecure = await connect({ ...sandbox.primary.app, tls: { verify: false } });
      await insecure.end();
    } finally {
      writeFileSync(certs.serverCertFile, keep.cert);
      writeFileSync(certs.serverKeyFile, keep.key);
      await reloadTls(admin, flavor);
    }
    const ok = await connect({ ...sandbox.primary.app, tls: { verify: true, ca: tls.ca ?? '' } });
    await ok.end();
  });

  it('presents --ssl-cert/--ssl-key on every connection, for an account that requires a client certificate', async () => {
    const sum = await checksum();
    // Replicated: the replica, where the lag reader logs in, requires it too.
    await admin.query("ALTER USER 'oschange'@'%' REQUIRE X509");
    try {
      await expect(connect({ ...sandbox.primary.app, tls })).rejects.toMatchObject({ errno: 1045 });
      const r = await cli([
        ...base(),
        '--alter', 'ADD COLUMN tag VARCHAR(20)', '--execute', '--ok-to-drop-table',
        '--ssl', '--ssl-ca', certs.caFile, '--ssl-cert', certs.clientCertFile, '--ssl-key', certs.clientKeyFile,
      ]);
      expect(r.code, r.err).toBe(0);
      expect((await queryRows(admin, 'SHOW COLUMNS FROM app.users')).map((c) => c['Field'])).toContain('tag');
      expect(await checksum()).toEqual(sum);
    } finally {
      await admin.query("ALTER USER 'oschange'@'%' REQUIRE NONE");
    }
  });
});
