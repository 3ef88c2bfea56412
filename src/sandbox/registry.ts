import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SandboxInfo } from './sandbox.js';

/**
 * Running `oschange sandbox up` processes leave a record here so that `oschange sandbox down`
 * (from another terminal) can find and stop them.
 */
export interface SandboxRecord {
  readonly ownerPid: number;
  readonly info: SandboxInfo;
}

export function registryDir(): string {
  return process.env['OSCHANGE_SANDBOX_REGISTRY'] ?? join(tmpdir(), 'oschange-sandboxes');
}

export function register(info: SandboxInfo): string {
  mkdirSync(registryDir(), { recursive: true, mode: 0o700 });
  const path = join(registryDir(), `${process.pid}-${info.flavor}.json`);
  const record: SandboxRecord = { ownerPid: process.pid, info };
  writeFileSync(path, JSON.stringify(record, null, 2), { mode: 0o600 });
  return path;
}

export function unregister(path: string): void {
  rmSync(path, { force: true });
}

export function listRecords(): { path: string; record: SandboxRecord }[] {
  let names: string[];
  try {
    names = readdirSync(registryDir());
  } catch {
    return [];
  }
  const out: { path: string; record: SandboxRecord }[] = [];
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    const path = join(registryDir(), name);
    try {
      const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
      if (isRecord(parsed)) out.push({ path, record: parsed });
    } catch {
      // A half-written or foreign file: not ours to act on.
    }
  }
  return out;
}

function isRecord(v: unknown): v is SandboxRecord {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  const info = r['info'];
  return typeof r['ownerPid'] === 'number' && typeof info === 'object' && info !== null && typeof (info as Record<string, unknown>)['dir'] === 'string';
}
