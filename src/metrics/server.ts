import { createServer, type Server } from 'node:http';
import { ExitCode, OschangeError, describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { createMetricsRegistry, type MetricsSource } from './metrics.js';

export interface MetricsServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * `--metrics-port`: GET /metrics in Prometheus' text format, read from the live state at each
 * scrape. It only reads; nothing a scraper sends changes the migration.
 */
export async function startMetricsServer(o: { port: number; address: string; source: () => MetricsSource | undefined; log: Logger }): Promise<MetricsServer> {
  const registry = createMetricsRegistry(o.source);
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '/').split('?')[0] !== '/metrics') {
      res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/plain' }).end('oschange: metrics at /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => {
        o.log.warn({ err: describeError(err) }, 'metrics: collecting failed');
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${describeError(err)}\n`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) =>
      reject(new OschangeError('METRICS_PORT', `--metrics-port ${o.port} on ${o.address}: cannot listen (${describeError(err)}); pick another port`, { exitCode: ExitCode.usage, cause: err })),
    );
    server.listen(o.port, o.address, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : o.port;
  const host = o.address.includes(':') ? `[${o.address}]` : o.address;
  return {
    port,
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
