import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { REPO } from './config.js';
import type { LoadMessage, LoadOptions, LoadResult } from './load-options.js';

export type { LoadOptions, LoadResult } from './load-options.js';

export interface RunningLoad {
  readonly pid: number;
  /** Stops the writes and returns every statement's timing. */
  stop(): Promise<LoadResult>;
}

const CHILD = fileURLToPath(new URL('./load-child.ts', import.meta.url));

/** Starts the load process (load-child.ts) and resolves once its connections are open. */
export function startLoad(o: LoadOptions): Promise<RunningLoad> {
  const child = fork(CHILD, [], {
    cwd: REPO,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_LOAD_OPTIONS: JSON.stringify(o) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let result: LoadResult | undefined;
  let failure: string | undefined;
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return new Promise((resolve, reject) => {
    child.on('message', (raw: unknown) => {
      const m = raw as LoadMessage;
      if (m.kind === 'ready') {
        resolve({
          pid: child.pid ?? 0,
          stop: async () => {
            if (child.connected) child.send({ kind: 'stop' });
            await exited;
            if (result === undefined) throw new Error(`the load process ended without a result${failure === undefined ? '' : `: ${failure}`}`);
            return result;
          },
        });
      } else if (m.kind === 'result') result = m.result;
      else if (m.kind === 'error') failure = m.message;
    });
    void exited.then(() => reject(new Error(`the load process ended before it was ready${failure === undefined ? '' : `: ${failure}`}`)));
  });
}
