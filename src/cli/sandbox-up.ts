import { clientCommand, formatDsn } from '../db/dsn.js';
import { describeVersion } from '../db/flavor.js';
import { connect } from '../db/connect.js';
import { SANDBOX_DATABASE, type SandboxInfo } from '../sandbox/sandbox.js';
import { startAnySandbox, type AnyFlavor } from '../sandbox/start.js';
import { seedUsers } from '../sandbox/seed.js';
import { register, unregister } from '../sandbox/registry.js';

export interface SandboxUpOptions {
  readonly flavor: AnyFlavor;
  readonly rows: number;
  readonly json: boolean;
  readonly out: (line: string) => void;
  /** Aborted by Ctrl-C / SIGTERM: the sandbox is then stopped and removed. */
  readonly signal: AbortSignal;
}

/** `oschange sandbox up`: start a pair, print how to reach it, keep it until the signal. */
export async function sandboxUp(o: SandboxUpOptions): Promise<void> {
  const log = o.json ? () => undefined : (m: string) => o.out(`sandbox: ${m}`);
  const sandbox = await startAnySandbox(o.flavor, log);
  const recordPath = register(sandbox);
  try {
    if (o.rows > 0) {
      const conn = await connect(sandbox.primary.admin);
      try {
        log(`creating ${SANDBOX_DATABASE}.users with ${o.rows} rows`);
        await seedUsers(conn, { database: SANDBOX_DATABASE, rows: o.rows });
      } finally {
        await conn.end();
      }
    }
    for (const line of o.json ? [JSON.stringify(describeForJson(sandbox, o.rows))] : describeForHumans(sandbox, o.rows)) o.out(line);
    if (!o.signal.aborted) await new Promise<void>((resolve) => o.signal.addEventListener('abort', () => resolve(), { once: true }));
    log('stopping');
  } finally {
    await sandbox.stop();
    unregister(recordPath);
  }
  log('stopped and removed');
}

export function describeForHumans(s: SandboxInfo, rows: number): string[] {
  const p = s.primary.app;
  const r = s.replica.app;
  return [
    `${describeVersion(s.version)} primary + replica, replication running (${s.version.raw})`,
    `  primary   ${formatDsn(p)}`,
    `            ${clientCommand(p)}`,
    `  replica   ${formatDsn(r)}`,
    `            ${clientCommand(r)}`,
    `  admin     ${formatDsn(s.primary.admin)}  (root, no password; replica: port ${s.replica.port})`,
    rows > 0 ? `  table     ${SANDBOX_DATABASE}.users with ${rows} rows` : `  database  ${SANDBOX_DATABASE} (empty)`,
    s.dir === '' ? '  files     in Docker containers' : `  files     ${s.dir}`,
    `Try: oschange --host ${p.host} --port ${p.port} --user ${p.user} --password ${p.password} --database ${SANDBOX_DATABASE} --table users --alter "ADD COLUMN phone VARCHAR(20)"`,
    'Ctrl-C (or `oschange sandbox down`) stops both servers and removes their files.',
  ];
}

function describeForJson(s: SandboxInfo, rows: number): Record<string, unknown> {
  return {
    flavor: s.flavor,
    version: s.version.raw,
    dir: s.dir,
    rows,
    primary: { dsn: formatDsn(s.primary.app), adminDsn: formatDsn(s.primary.admin), port: s.primary.port, pid: s.primary.pid },
    replica: { dsn: formatDsn(s.replica.app), adminDsn: formatDsn(s.replica.admin), port: s.replica.port, pid: s.replica.pid },
  };
}
