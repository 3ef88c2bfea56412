import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * The process logger: pretty on a TTY, JSON lines otherwise; passwords never reach it.
 * Each module takes a child: `log.child({ module: 'copy' })`.
 */
export function createLogger(options: { level?: string; pretty?: boolean; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = options.level ?? process.env['OSCHANGE_LOG_LEVEL'] ?? 'info';
  const redact = { paths: ['password', '*.password', 'endpoint.password', 'config.password'], censor: '***' };
  const pretty = options.pretty ?? (process.stderr.isTTY === true && options.destination === undefined);
  if (pretty) {
    return pino({ level, redact, transport: { target: 'pino-pretty', options: { destination: 2, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } });
  }
  return pino({ level, redact, base: undefined }, (options.destination ?? process.stderr) as pino.DestinationStream);
}

/** A logger that drops everything, for tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
