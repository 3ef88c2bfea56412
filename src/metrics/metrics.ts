import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Phase, MigrationState } from '../state.js';
import { statusNumbers } from '../status/format.js';
import type { WindowSchedule } from '../schedule/window-schedule.js';

/** What the exporter reads on each scrape: the running migration, or nothing between migrations. */
export interface MetricsSource {
  readonly state: MigrationState;
  readonly database: string;
  readonly table: string;
  readonly copyWindow: WindowSchedule | undefined;
  readonly now: () => number;
}

export const PHASES: readonly Phase[] = ['inspecting', 'preparing', 'copying', 'waiting for cut-over', 'verifying', 'postponing cut-over', 'cutting over', 'cleaning up', 'reverse sync', 'done', 'failed'];

/** The kinds of throttle reason, a label with few values (the reason's text stays in the status line). */
export const THROTTLE_KINDS = ['window', 'write-rate', 'replica-lag', 'max-load', 'flag-file', 'commanded', 'throttle-query', 'throttle-http', 'check-failed', 'panic', 'other'] as const;
export type ThrottleKind = (typeof THROTTLE_KINDS)[number];

export function throttleKind(reason: string): ThrottleKind {
  if (reason.startsWith('outside window')) return 'window';
  if (reason.startsWith('panic')) return 'panic';
  if (reason.startsWith('commanded')) return 'commanded';
  if (reason.startsWith('flag-file')) return 'flag-file';
  if (/^(lag=|lag |replica )/.test(reason) || / on replica /.test(reason)) return 'replica-lag';
  // A check that failed or did not answer holds the copy too (fail closed): its own kind.
  if (/ check failed| check did not answer|^throttle-query failed|^throttle-http .* (did not answer|unreachable)/.test(reason)) return 'check-failed';
  if (reason.startsWith('max-write-rate')) return 'write-rate';
  if (reason.startsWith('max-load ')) return 'max-load';
  if (reason.startsWith('throttle-query')) return 'throttle-query';
  if (reason.startsWith('throttle-http')) return 'throttle-http';
  return 'other';
}

type Labels = 'database' | 'table';

/**
 * A Prometheus registry over the live MigrationState: every value is read at scrape time, so the
 * numbers are the status line's (src/status/format.ts) at that moment, never a copy of them.
 */
export function createMetricsRegistry(source: () => MetricsSource | undefined): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'oschange_' });
  const labelNames = ['database', 'table'] as const;
  const gauge = (name: string, help: string, read: (s: MetricsSource) => number | undefined): void => {
    new Gauge<Labels>({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        const src = source();
        if (src === undefined) return;
        const v = read(src);
        if (v !== undefined && Number.isFinite(v)) this.set({ database: src.database, table: src.table }, v);
      },
    });
  };
  const labelled = <L extends string>(name: string, help: string, label: L, values: readonly string[], current: (s: MetricsSource) => string | undefined): void => {
    new Gauge<Labels | L>({
      name,
      help,
      labelNames: [...labelNames, label],
      registers: [registry],
      collect() {
        this.reset();
        const src = source();
        if (src === undefined) return;
        const now = current(src);
        for (const v of values) this.set({ database: src.database, table: src.table, [label]: v } as Record<Labels | L, string>, v === now ? 1 : 0);
      },
    });
  };
  const s = (m: MetricsSource): MigrationState => m.state;
  const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);

  gauge('oschange_rows_copied', 'Rows copied into the ghost table (the status line\'s Copy: x/…)', (m) => s(m).rowsCopied);
  gauge('oschange_rows_estimated', 'Rows the copy expects (the status line\'s Copy: …/y)', (m) => Math.max(s(m).rowsEstimate, s(m).rowsCopied));
  gauge('oschange_copy_progress_ratio', 'Copy progress, 0 to 1', (m) => statusNumbers(s(m), m.now()).copyPercent / 100);
  gauge('oschange_eta_seconds', 'Estimated time until the copy is done', (m) => seconds(statusNumbers(s(m), m.now()).etaMs));
  gauge('oschange_elapsed_seconds', 'Time since the migration started', (m) => (m.now() - s(m).startedAtMs) / 1000);
  gauge('oschange_chunks_copied', 'Copy chunks written', (m) => s(m).chunksCopied);
  gauge('oschange_chunk_size_rows', 'Rows per copy chunk now', (m) => s(m).chunkSize);
  gauge('oschange_chunk_last_seconds', 'How long the last copy chunk took', (m) => seconds(s(m).lastChunkMs));
  gauge('oschange_copy_busy_seconds', 'Time spent copying chunks (throttled time left out)', (m) => s(m).copyBusyMs / 1000);
  gauge('oschange_events_applied', 'Binlog row events applied to the ghost table (the status line\'s Applied:)', (m) => s(m).eventsApplied);
  gauge('oschange_apply_rate_events_per_second', 'Binlog row events applied per second lately', (m) => s(m).applyRate ?? 0);
  gauge('oschange_backlog_events', 'Binlog events read and not yet applied (Backlog: a/…)', (m) => s(m).backlog);
  gauge('oschange_backlog_capacity_events', 'Backlog capacity (Backlog: …/b)', (m) => s(m).backlogCapacity);
  gauge('oschange_lag_seconds', 'Age of the newest heartbeat the applier has applied (the status line\'s Lag:)', (m) => seconds(statusNumbers(s(m), m.now()).lagMs));
  gauge('oschange_throttled', '1 while the copy is held back (the status line\'s State: throttled, …)', (m) => (s(m).throttleReason === undefined ? 0 : 1));
  labelled('oschange_throttle_reason', 'The kind of reason the copy is held back for (1), the others 0', 'reason', THROTTLE_KINDS, (m) => {
    const r = s(m).throttleReason;
    return r === undefined ? undefined : throttleKind(r);
  });
  gauge('oschange_window_open', '1 inside a --window, 0 outside (absent without windows)', (m) => (m.copyWindow === undefined ? undefined : m.copyWindow.isOpen(m.now()) ? 1 : 0));
  gauge('oschange_window_next_open_timestamp_seconds', 'When the next --window opens (outside one)', (m) => {
    const w = m.copyWindow?.stateAt(m.now());
    return w?.kind === 'closed' ? w.opensAtMs / 1000 : undefined;
  });
  gauge('oschange_window_close_timestamp_seconds', 'When the current (or next) --window closes', (m) => {
    const w = m.copyWindow?.stateAt(m.now());
    return w === undefined || w.kind === 'never' ? undefined : w.closesAtMs / 1000;
  });
  gauge('oschange_cutover_window_waiting', '1 while the checksum and cut-over wait for their window', (m) => (s(m).cutOverWaitReason === undefined ? 0 : 1));
  gauge('oschange_write_rate_rows_per_second', 'The write rate --max-write-rate measures', (m) => s(m).writeRate);
  gauge('oschange_max_write_rate_rows_per_second', '--max-write-rate (absent when off)', (m) => s(m).maxWriteRate);
  gauge('oschange_checksum_chunks', 'Checksum chunks compared (the status line\'s Verify: n chunks)', (m) => s(m).verifyChunks);
  gauge('oschange_checksum_repaired_chunks', 'Checksum chunks that differed and were copied again', (m) => s(m).verifyRepairs);
  gauge('oschange_checksum_done', '1 once the checksum has compared both tables', (m) => (s(m).verifyEndedAtMs === undefined ? 0 : 1));
  gauge('oschange_checksum_seconds', 'Time the checksum has taken', (m) => {
    const st = s(m);
    return st.verifyStartedAtMs === undefined ? undefined : ((st.verifyEndedAtMs ?? m.now()) - st.verifyStartedAtMs) / 1000;
  });
  gauge('oschange_cutover_attempts', 'Cut-over attempts', (m) => s(m).cutOverAttempts);
  gauge('oschange_cutover_lock_seconds', 'How long the original table was locked at cut-over', (m) => seconds(s(m).lockMs));
  gauge('oschange_reconnects', 'Times the migration went on after a lost connection', (m) => s(m).recoveries);
  labelled('oschange_phase', 'The migration\'s phase (1), the others 0', 'phase', PHASES, (m) => s(m).phase);
  return registry;
}
