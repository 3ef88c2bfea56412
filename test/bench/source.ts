/**
 * Which oschange the bench runs. By default this checkout as it is; with BENCH_OSCHANGE_REF (e.g.
 * HEAD) a clean export of that commit — to measure what is committed while the work tree is being
 * edited. The results name the commit, and how many files under src/ and cmd/ differed from it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './config.js';

export interface OschangeSource {
  readonly dir: string;
  readonly commit: string;
  readonly uncommittedFiles: number;
  readonly label: string;
  readonly cleanup: () => void;
}

const git = (dir: string, args: string[]): string => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();

export function oschangeSource(o: { dir: string; ref: string | undefined }): OschangeSource {
  if (o.ref === undefined) {
    try {
      const commit = git(o.dir, ['rev-parse', 'HEAD']);
      const changed = git(o.dir, ['status', '--porcelain', '--', 'src', 'cmd']).split('\n').filter((l) => l.trim() !== '').length;
      return { dir: o.dir, commit, uncommittedFiles: changed, label: `${o.dir} (${commit.slice(0, 7)}${changed > 0 ? ` + ${changed} uncommitted files in src/, cmd/` : ''})`, cleanup: () => undefined };
    } catch {
      return { dir: o.dir, commit: 'unknown (not a git checkout)', uncommittedFiles: 0, label: o.dir, cleanup: () => undefined };
    }
  }
  const commit = git(REPO, ['rev-parse', '--verify', `${o.ref}^{commit}`]);
  const dir = mkdtempSync(join(tmpdir(), 'oschange-bench-src-'));
  execFileSync('sh', ['-c', 'git -C "$1" archive "$2" | tar -x -C "$3"', 'sh', REPO, commit, dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  return { dir, commit, uncommittedFiles: 0, label: `commit ${commit.slice(0, 7)} (${o.ref}), exported to ${dir}`, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
