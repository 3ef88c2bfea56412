import { formatPosition } from '../binlog/types.js';
import type { MigrationState } from '../state.js';

/** `1h2m3s`, `4m5s`, `6s`, `0.5s` — gh-ost's style of durations. */
export function formatDuration(ms: number): string {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(ms < 1000 ? 2 : 1).replace(/\.?0+$/, '') || '0'}s`;
  let s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${s}s`;
}

export interface StatusNumbers {
  readonly copyPercent: number;
  readonly etaMs: number | undefined;
  readonly lagMs: number | undefined;
}

/** Progress, ETA (from the copy rate so far) and lag, derived from the shared state. */
export function statusNumbers(s: MigrationState, nowMs: number): StatusNumbers {
  const total = Math.max(s.rowsEstimate, s.rowsCopied);
  const done = s.copyEndedAtMs !== undefined;
  const copyPercent = done ? 100 : total === 0 ? 0 : (100 * s.rowsCopied) / total;
  let etaMs: number | undefined;
  if (done) etaMs = 0;
  else if (s.copyStartedAtMs !== undefined && s.rowsCopied > s.rowsCopiedBefore) {
    // The rate of this run: rows an interrupted run copied before a resume took no time here.
    const rate = (s.rowsCopied - s.rowsCopiedBefore) / Math.max(1, nowMs - s.copyStartedAtMs);
    etaMs = Math.max(0, (total - s.rowsCopied) / rate);
  }
  const lagMs = s.lastHeartbeatSeenMs === undefined ? undefined : Math.max(0, nowMs - s.lastHeartbeatSeenMs);
  return { copyPercent, etaMs, lagMs };
}

/**
 * gh-ost's status line, which operators' eyes and scripts already know:
 * `Copy: 12000/100000 12.0%; Applied: 34; Backlog: 0/20000; Time: 5s(total), 4s(copy); streamer: binlog.000002:4711; Lag: 0.02s, State: copying; ETA: 30s`
 */
export function statusLine(s: MigrationState, nowMs: number): string {
  const n = statusNumbers(s, nowMs);
  const total = Math.max(s.rowsEstimate, s.rowsCopied);
  const copyMs = s.copyStartedAtMs === undefined ? 0 : (s.copyEndedAtMs ?? nowMs) - s.copyStartedAtMs;
  const eta = n.etaMs === undefined ? 'N/A' : n.etaMs === 0 ? (s.copyEndedAtMs !== undefined ? 'due' : '0s') : formatDuration(n.etaMs);
  const extra: string[] = [];
  if (s.applyRate !== undefined && s.applyRate > 0) extra.push(`Apply: ${s.applyRate} events/s`);
  if (s.rowsCopiedBefore > 0) extra.push(`Resumed: from ${s.rowsCopiedBefore} rows copied`);
  if (s.verifyStartedAtMs !== undefined) {
    const verifyMs = (s.verifyEndedAtMs ?? nowMs) - s.verifyStartedAtMs;
    extra.push(`Verify: ${s.verifyChunks} chunks${s.verifyRepairs > 0 ? `, ${s.verifyRepairs} repaired` : ''}, ${formatDuration(verifyMs)}${s.verifyEndedAtMs === undefined ? '' : ' (done)'}`);
  }
  if (s.verifySkipped !== undefined) extra.push('Verify: skipped');
  if (s.recoveries > 0) extra.push(`Reconnects: ${s.recoveries}`);
  return [
    `Copy: ${s.rowsCopied}/${total} ${n.copyPercent.toFixed(1)}%`,
    `Applied: ${s.eventsApplied}`,
    `Backlog: ${s.backlog}/${s.backlogCapacity}`,
    `Time: ${formatDuration(nowMs - s.startedAtMs)}(total), ${formatDuration(copyMs)}(copy)`,
    `streamer: ${s.streamerPosition === undefined ? 'N/A' : formatPosition(s.streamerPosition)}`,
    `Lag: ${n.lagMs === undefined ? 'N/A' : `${(n.lagMs / 1000).toFixed(2)}s`}, State: ${stateText(s)}`,
    `ETA: ${eta}`,
    ...extra,
  ].join('; ');
}

/** `copying`, `throttled, <reason>`, `waiting for cut-over, outside window; next opens …`. */
export function stateText(s: MigrationState): string {
  if (s.throttleReason !== undefined && s.phase === 'copying') return `throttled, ${s.throttleReason}`;
  if (s.cutOverWaitReason !== undefined && s.phase === 'waiting for cut-over') return `${s.phase}, ${s.cutOverWaitReason}`;
  return s.phase;
}

/**
 * How often to print: every second for the first minute and when the copy is about to end,
 * every 5 s while it has under 3 minutes to go, every 30 s otherwise — gh-ost's rhythm.
 */
export function statusIntervalMs(s: MigrationState, nowMs: number): number {
  const elapsed = nowMs - s.startedAtMs;
  const { etaMs } = statusNumbers(s, nowMs);
  // Hours outside a window are not worth a line a second: the reason says when it opens.
  if (elapsed >= 60_000 && (s.cutOverWaitReason !== undefined || (s.phase === 'copying' && s.throttleReason?.startsWith('outside window') === true))) return 30_000;
  if (elapsed < 60_000 || (etaMs !== undefined && etaMs < 10_000) || s.copyEndedAtMs !== undefined) return 1000;
  if (etaMs !== undefined && etaMs < 180_000) return 5000;
  return 30_000;
}
