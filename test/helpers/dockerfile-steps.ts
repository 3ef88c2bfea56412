import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';

/**
 * Runs a Dockerfile's steps without a Docker engine: each stage is a directory under `root`, WORKDIR
 * and COPY map the image's paths into it, RUN runs `sh -c` there, and `npm install --global` installs
 * into the stage's /usr/local (npm_config_prefix). It takes only what docker/Dockerfile uses (FROM,
 * WORKDIR, COPY [--from], RUN, ENV, USER, ENTRYPOINT, CMD); the base image itself is this machine's
 * node. What it cannot show: the base image's own contents, USER's permissions, the image's layers.
 */
export function runDockerfile(o: { dockerfile: string; context: string; root: string; env?: NodeJS.ProcessEnv; log?: (line: string) => void }): {
  finalRoot: string;
  entrypoint: string[];
  cmd: string[];
  env: Record<string, string>;
} {
  const text = readFileSync(o.dockerfile, 'utf8').replace(/\\\n/g, ' ');
  const stages = new Map<string, string>();
  let stageRoot = '';
  let cwd = '';
  let env: Record<string, string> = {};
  let entrypoint: string[] = [];
  let cmd: string[] = [];
  const inStage = (path: string): string => join(stageRoot, isAbsolute(path) ? path : join(cwd.slice(stageRoot.length) || '/', path));
  let n = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [word, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    o.log?.(line);
    switch (word) {
      case 'FROM': {
        stageRoot = join(o.root, `stage${n++}`);
        mkdirSync(stageRoot, { recursive: true });
        cwd = stageRoot;
        env = {};
        const as = /\sAS\s+(\S+)$/i.exec(args);
        stages.set(as === null ? String(n - 1) : (as[1] as string), stageRoot);
        break;
      }
      case 'WORKDIR':
        cwd = inStage(args);
        mkdirSync(cwd, { recursive: true });
        break;
      case 'ENV': {
        const m = /^(\S+?)=(.*)$/.exec(args);
        if (m !== null) env[m[1] as string] = m[2] as string;
        break;
      }
      case 'COPY': {
        const parts = args.split(/\s+/);
        const from = parts[0]?.startsWith('--from=') ? stages.get(parts.shift()?.slice('--from='.length) ?? '') : undefined;
        const dest = parts.pop() as string;
        const target = inStage(dest);
        for (const src of parts) {
          const source = from === undefined ? join(o.context, src) : join(from, src);
          const to = parts.length > 1 || dest.endsWith('/') ? join(target, basename(src)) : target;
          cpSync(source, to, { recursive: true });
        }
        break;
      }
      case 'RUN':
        execFileSync('sh', ['-c', args], {
          cwd,
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, ...o.env, ...env, npm_config_prefix: join(stageRoot, 'usr/local'), PATH: `${join(stageRoot, 'usr/local/bin')}:${process.env['PATH'] ?? ''}` },
          maxBuffer: 64 * 1024 * 1024,
        });
        break;
      case 'ENTRYPOINT':
        entrypoint = JSON.parse(args) as string[];
        break;
      case 'CMD':
        cmd = JSON.parse(args) as string[];
        break;
      case 'USER':
        break;
      default:
        throw new Error(`runDockerfile does not know ${word ?? ''}`);
    }
  }
  return { finalRoot: stageRoot, entrypoint, cmd, env };
}
