import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDockerfile } from '../helpers/dockerfile-steps.js';
import { REPO } from '../helpers/processes.js';

const VERSION = (JSON.parse(execFileSync('node', ['-p', 'JSON.stringify(require("./package.json"))'], { cwd: REPO, encoding: 'utf8' })) as { version: string }).version;
/**
 * What a migration does not need, and a lean install must not bring. (@types/node is not listed: mysql2
 * declares it among its own production dependencies.)
 */
const NOT_IN_PRODUCTION = ['testcontainers', 'vitest', 'typescript', 'tsx', 'yaml'];

/** The packages an install holds, by name (node_modules/<name> and node_modules/@scope/<name>). */
function installed(nodeModules: string): string[] {
  const names: string[] = [];
  for (const entry of readdirSync(nodeModules)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) for (const sub of readdirSync(join(nodeModules, entry))) names.push(`${entry}/${sub}`);
    else names.push(entry);
  }
  return names;
}

const run = (cmd: string, args: readonly string[], cwd: string): string =>
  execFileSync(cmd, [...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' }, maxBuffer: 64 * 1024 * 1024 });

/** The repository's sources, as `npm pack` and the Dockerfile see them (no node_modules, no dist). */
function sourceCopy(into: string): void {
  for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'cmd', 'src', 'docker']) cpSync(join(REPO, f), join(into, f), { recursive: true });
}

describe('packaging', () => {
  const dirs: string[] = [];
  const temp = (name: string): string => {
    const d = mkdtempSync(join(tmpdir(), `oschange-${name}-`));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('npm pack, installed into an empty directory, gives a working oschange with only its production dependencies', () => {
    const src = temp('src');
    sourceCopy(src);
    // The compiler comes from the repository's own install; prepack builds dist/ before packing.
    symlinkSync(join(REPO, 'node_modules'), join(src, 'node_modules'));
    const packed = run('npm', ['pack', '--silent', '--pack-destination', src], src).trim().split('\n').at(-1) ?? '';
    expect(packed).toBe(`oschange-${VERSION}.tgz`);
    const empty = temp('install');
    run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', join(src, packed)], empty);
    const bin = join(empty, 'node_modules/.bin/oschange');
    expect(run(bin, ['--version'], empty).trim()).toBe(VERSION);
    const help = run(bin, ['--help'], empty);
    expect(help).toContain('Online schema change for MySQL and MariaDB.');
    expect(help).toContain('oschange queue');
    expect(help).toContain('--window');
    const deps = installed(join(empty, 'node_modules'));
    expect(deps).toEqual(expect.arrayContaining(['oschange', 'mysql2', '@vlasky/zongji', 'croner', 'prom-client', 'cli-progress']));
    expect(deps.filter((d) => NOT_IN_PRODUCTION.includes(d))).toEqual([]);
    // The sandbox's Docker path says what is missing instead of failing obscurely.
    let error = '';
    try {
      run(bin, ['sandbox', 'up', '--flavor', 'mysql-8.4'], empty);
    } catch (err) {
      error = String((err as { stderr?: string }).stderr ?? err);
    }
    expect(error).toMatch(/--flavor mysql-8\.4 needs the testcontainers package, which this install of oschange leaves out .*: install it beside oschange \(npm install testcontainers@11\), or use --flavor mysql or mariadb/);
  });

  it('docker/Dockerfile: its steps, run in a temporary directory, give an image whose entry point works', () => {
    const context = temp('context');
    sourceCopy(context);
    const root = temp('image');
    const image = runDockerfile({ dockerfile: join(context, 'docker/Dockerfile'), context, root, env: { npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' } });
    expect(image.entrypoint).toEqual(['oschange']);
    const bin = join(image.finalRoot, 'usr/local/bin', image.entrypoint[0] as string);
    expect(existsSync(bin)).toBe(true);
    const cwd = join(image.finalRoot, 'opt/oschange');
    mkdirSync(cwd, { recursive: true });
    expect(run(bin, ['--version'], cwd).trim()).toBe(VERSION);
    expect(run(bin, image.cmd, cwd)).toContain('oschange queue');
    // The image holds the production dependencies only, and the build's leftovers are gone.
    const deps = installed(join(image.finalRoot, 'usr/local/lib/node_modules/oschange/node_modules'));
    expect(deps.filter((d) => NOT_IN_PRODUCTION.includes(d))).toEqual([]);
    expect(readdirSync(cwd)).toEqual([]);
  });
});
