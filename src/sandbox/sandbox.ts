import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from '../db/connect.js';
import { connect, queryValue } from '../db/connect.js';
import { startReplica, stopReplica } from '../sql/replication.js';
import type { Endpoint } from '../db/dsn.js';
import type { TlsSettings } from '../db/tls.js';
import { parseServerVersion, type ServerVersion } from '../db/flavor.js';
import { createAppDatabase } from './databases.js';
import { findInstall, commandFor, type SandboxFlavor, type ServerInstall } from './install.js';
import { freePorts } from './ports.js';
import { initArgs, layoutFor, MYSQL_INIT_SQL, startArgs, type Role, type ServerLayout } from './server-args.js';
import { run, startServer, stopServer, waitReady, type RunningServer } from './server-process.js';
import { spawnWatchdog } from './watchdog.js';
import { APP_USER, appEndpoint, provisionPair } from './provision.js';
import type { DockerFlavor } from './docker.js';

export { SANDBOX_DATABASE, APP_USER, APP_PASSWORD } from './provision.js';

export interface SandboxServer {
  readonly role: Role;
  /** The server process; undefined for a container. */
  readonly pid: number | undefined;
  readonly port: number;
  readonly serverId: number;
  /** root, no password: for test setup and the demo's own checks. */
  readonly admin: Endpoint;
  /** The least-privileged user oschange runs as (README, "Privileges"). */
  readonly app: Endpoint;
}

export interface SandboxInfo {
  readonly flavor: SandboxFlavor | DockerFlavor;
  readonly version: ServerVersion;
  /** Directory on the host holding both servers' files; removed by stop(). */
  readonly dir: string;
  readonly primary: SandboxServer;
  readonly replica: SandboxServer;
}

export interface Sandbox extends SandboxInfo {
  /** Creates a database on the primary and grants the app user its documented privileges there. */
  createDatabase(name: string): Promise<void>;
  /** Stops both servers and removes the directory. Safe to call twice. */
  stop(options?: { graceMs?: number }): Promise<void>;
}

/** A pair of local processes (as opposed to containers): pids are known. */
export interface LocalSandboxServer extends SandboxServer {
  readonly pid: number;
}
export interface LocalSandbox extends Sandbox {
  readonly primary: LocalSandboxServer;
  readonly replica: LocalSandboxServer;
  /**
   * Shuts the primary down cleanly and starts it again on the same port and data (the fault
   * suite's "server restart"); the replica is told to reconnect at once. Resolves with the new pid.
   */
  restartPrimary(): Promise<number>;
}

export interface StartSandboxOptions {
  readonly flavor: SandboxFlavor;
  /** Parent directory; default: the system temp dir (inside the chroot for MySQL). */
  readonly parentDir?: string;
  readonly onProgress?: (message: string) => void;
  /**
   * More server flags for both servers, after the sandbox's own (a later flag wins): e.g.
   * `--sql-mode=NO_BACKSLASH_ESCAPES` for a test of a server configured that way.
   */
  readonly extraServerArgs?: readonly string[];
  /**
   * For servers that require TLS (extraServerArgs `--require-secure-transport=ON --ssl-ca=… --ssl-cert=…
   * --ssl-key=…`, paths as the server sees them): the sandbox's own sessions and the admin and app
   * endpoints it hands out connect with these settings, and the replica replicates over TLS.
   */
  readonly tls?: TlsSettings;
}

interface Member {
  readonly role: Role;
  readonly layout: ServerLayout;
  readonly port: number;
  readonly serverId: number;
  readonly process: RunningServer;
}

const live = new Set<() => void>();
let exitHookInstalled = false;

/** Last line of defence on a normal exit that skipped stop(): kill what we started. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const kill of live) kill();
  });
}

/**
 * Starts a pair. Free ports are picked before the servers bind them, so another process may take
 * one in between; a start that fails on a taken port is tried again with new ports.
 */
export async function startSandbox(options: StartSandboxOptions): Promise<LocalSandbox> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startSandboxOnce(options);
    } catch (err) {
      const portTaken = err instanceof Error && /Address already in use|Bind on TCP\/IP port|Can't start server: Bind/i.test(err.message);
      if (!portTaken || attempt >= 3) throw err;
      options.onProgress?.('a port was taken meanwhile; trying other ports');
    }
  }
}

async function startSandboxOnce(options: StartSandboxOptions): Promise<LocalSandbox> {
  const progress = options.onProgress ?? (() => undefined);
  const install = findInstall(options.flavor);
  const parent = options.parentDir ?? join(install.rootfs === '' ? tmpdir() : join(install.rootfs, 'tmp'));
  mkdirSync(parent, { recursive: true });
  const hostDir = mkdtempSync(join(parent, `oschange-${options.flavor}-`));
  const innerDir = install.rootfs === '' ? hostDir : hostDir.slice(install.rootfs.length);
  spawnWatchdog(process.pid, hostDir);
  installExitHook();

  const members: Member[] = [];
  const connections: Connection[] = [];
  const killAll = (): void => {
    for (const m of members) m.process.child.kill('SIGKILL');
    rmSync(hostDir, { recursive: true, force: true });
  };
  live.add(killAll);
  let stopped = false;
  const stop = async (o: { graceMs?: number } = {}): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.allSettled(connections.map((c) => c.end()));
    await Promise.all(members.map((m) => stopServer(m.process, o.graceMs ?? 10_000)));
    rmSync(hostDir, { recursive: true, force: true });
    live.delete(killAll);
  };

  try {
    const [primaryPort, replicaPort] = (await freePorts(2)) as [number, number];
    const roles: { role: Role; port: number; serverId: number }[] = [
      { role: 'primary', port: primaryPort, serverId: 1 },
      { role: 'replica', port: replicaPort, serverId: 2 },
    ];
    progress(`initializing ${options.flavor} data directories in ${hostDir}`);
    await Promise.all(roles.map((r) => initialize(install, layoutFor(`${innerDir}/${r.role}`))));

    progress(`starting primary on port ${primaryPort} and replica on port ${replicaPort}`);
    for (const r of roles) {
      const layout = layoutFor(`${innerDir}/${r.role}`);
      const proc = startServer(install, [...startArgs(install, layout, r), ...(options.extraServerArgs ?? [])]);
      writeFileSync(join(hostDir, `${r.role}.pid.watch`), String(proc.pid));
      members.push({ ...r, layout, process: proc });
    }
    const rootEndpoint = (port: number): Endpoint => ({ ...rootWithoutTls(port), ...(options.tls === undefined ? {} : { tls: options.tls }) });
    const admins = members.map((m) => rootEndpoint(m.port));
    const [primaryConn, replicaConn] = (await Promise.all(
      members.map((m, i) => waitReady(m.process, admins[i] as Endpoint, join(install.rootfs, m.layout.errorLog))),
    )) as [Connection, Connection];
    connections.push(primaryConn, replicaConn);
    const version = parseServerVersion(String(await queryValue(primaryConn, 'SELECT VERSION()')));

    progress('configuring replication');
    await provisionPair({
      version,
      primary: primaryConn,
      replica: replicaConn,
      sourceAddress: { host: '127.0.0.1', port: primaryPort },
      replicationTls: options.tls !== undefined,
    });

    const server = (m: Member): LocalSandboxServer => ({
      role: m.role,
      pid: m.process.pid,
      port: m.port,
      serverId: m.serverId,
      admin: rootEndpoint(m.port),
      app: { ...appEndpoint('127.0.0.1', m.port), ...(options.tls === undefined ? {} : { tls: options.tls }) },
    });
    const restartPrimary = async (): Promise<number> => {
      const m = members[0] as Member;
      await stopServer(m.process, 30_000);
      const proc = startServer(install, [...startArgs(install, m.layout, m), ...(options.extraServerArgs ?? [])]);
      writeFileSync(join(hostDir, `${m.role}.pid.watch`), String(proc.pid));
      members[0] = { ...m, process: proc };
      const conn = await waitReady(proc, rootEndpoint(m.port), join(install.rootfs, m.layout.errorLog));
      await conn.end();
      // The replica would wait MASTER_CONNECT_RETRY (60 s) before trying again on its own.
      await replicaConn.query(stopReplica(version, 'io').sql);
      await replicaConn.query(startReplica(version).sql);
      return proc.pid;
    };
    return {
      flavor: options.flavor,
      version,
      dir: hostDir,
      primary: server(members[0] as Member),
      replica: server(members[1] as Member),
      createDatabase: async (name: string) => {
        // The first connection is gone after a restart.
        const conn = await connect(rootEndpoint(primaryPort));
        try {
          await createAppDatabase(conn, name, APP_USER);
        } finally {
          await conn.end();
        }
      },
      restartPrimary,
      stop,
    };
  } catch (err) {
    await stop({ graceMs: 0 }).catch(() => undefined);
    throw err;
  }
}

async function initialize(install: ServerInstall, layout: ServerLayout): Promise<void> {
  const { binary, args } = initArgs(install, layout);
  const { command, args: argv } = commandFor(install, binary, args);
  mkdirSync(join(install.rootfs, layout.tmpDir), { recursive: true });
  if (install.flavor === 'mysql') writeFileSync(join(install.rootfs, layout.dir, 'init.sql'), MYSQL_INIT_SQL);
  await run(command, argv);
}

function rootWithoutTls(port: number): Endpoint {
  return { host: '127.0.0.1', port, user: 'root', password: '' };
}


