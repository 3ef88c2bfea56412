import { connect, queryValue, type Connection } from '../db/connect.js';
import type { Endpoint } from '../db/dsn.js';
import { parseServerVersion } from '../db/flavor.js';
import { ExitCode, OschangeError, describeError } from '../errors.js';
import { createAppDatabase } from './databases.js';
import { APP_USER, appEndpoint, provisionPair } from './provision.js';
import type { Sandbox } from './sandbox.js';

/** Server versions that come from Docker images, where a Docker engine answers. */
export type DockerFlavor = 'mysql-8.0' | 'mysql-8.4';
export const DOCKER_FLAVORS: readonly DockerFlavor[] = ['mysql-8.0', 'mysql-8.4'];
const ROOT_PASSWORD = 'oschange';

/**
 * The same primary + replica pair as startSandbox, from the official mysql images through
 * testcontainers. testcontainers is loaded only here, so machines without Docker never pay for it,
 * and its absence (the package, or a Docker engine) is one clear error, never a hang.
 */
export async function startDockerSandbox(flavor: DockerFlavor, onProgress: (m: string) => void = () => undefined): Promise<Sandbox> {
  let tc: typeof import('testcontainers');
  try {
    tc = await import('testcontainers');
  } catch (err) {
    // testcontainers is a dev (and optional peer) dependency: an install with --omit=dev has none.
    throw new OschangeError(
      'SANDBOX_NO_TESTCONTAINERS',
      `--flavor ${flavor} needs the testcontainers package, which this install of oschange leaves out (${describeError(err)}): install it beside oschange (npm install testcontainers@11), or use --flavor mysql or mariadb`,
      { exitCode: ExitCode.environment },
    );
  }
  try {
    await tc.getContainerRuntimeClient();
  } catch (err) {
    throw new OschangeError('SANDBOX_NO_DOCKER', `--flavor ${flavor} needs a Docker engine, and none answers here (${describeError(err)}); use --flavor mysql or mariadb`, {
      exitCode: ExitCode.environment,
    });
  }
  const image = `mysql:${flavor.slice('mysql-'.length)}`;
  onProgress(`starting ${image} primary and replica containers`);
  const network = await new tc.Network().start();
  const started: { stop: () => Promise<unknown> }[] = [];
  const connections: Connection[] = [];
  const stop = async (): Promise<void> => {
    await Promise.allSettled(connections.map((c) => c.end()));
    await Promise.allSettled(started.map((c) => c.stop()));
    await network.stop().catch(() => undefined);
  };
  try {
    const container = (alias: string, serverId: number) =>
      new tc.GenericContainer(image)
        .withNetwork(network)
        .withNetworkAliases(alias)
        .withEnvironment({ MYSQL_ROOT_PASSWORD: ROOT_PASSWORD })
        .withCommand([`--server-id=${serverId}`, '--log-bin=binlog', '--binlog-format=ROW', '--binlog-row-image=FULL', '--event-scheduler=ON', `--report-host=${alias}`])
        .withExposedPorts(3306)
        .withWaitStrategy(tc.Wait.forLogMessage(/ready for connections.*port: 3306/, 1))
        .start();
    const [primary, replica] = await Promise.all([container('primary', 1), container('replica', 2)]);
    started.push(primary, replica);
    const admin = (c: typeof primary): Endpoint => ({ host: c.getHost(), port: c.getMappedPort(3306), user: 'root', password: ROOT_PASSWORD });
    const primaryConn = await connect(admin(primary));
    const replicaConn = await connect(admin(replica));
    connections.push(primaryConn, replicaConn);
    const version = parseServerVersion(String(await queryValue(primaryConn, 'SELECT VERSION()')));
    await provisionPair({ version, primary: primaryConn, replica: replicaConn, sourceAddress: { host: 'primary', port: 3306 } });
    const server = (role: 'primary' | 'replica', c: typeof primary, serverId: number) => ({
      role,
      pid: undefined,
      port: c.getMappedPort(3306),
      serverId,
      admin: admin(c),
      app: appEndpoint(c.getHost(), c.getMappedPort(3306)),
    });
    return {
      flavor,
      version,
      dir: '',
      primary: server('primary', primary, 1),
      replica: server('replica', replica, 2),
      createDatabase: (name) => createAppDatabase(primaryConn, name, APP_USER),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
