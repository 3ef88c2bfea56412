import { describe, expect, it } from 'vitest';
import { createMetricsRegistry, throttleKind, type MetricsSource } from '../../src/metrics/metrics.js';
import { WindowSchedule } from '../../src/schedule/window-schedule.js';
import { MigrationState } from '../../src/state.js';
import { progressLine } from '../../src/status/progress-bar.js';
import { statusLine } from '../../src/status/format.js';

/** `name{labels} value` lines of our own metrics, as a map from `name{labels}` to the number. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(oschange_(?!process_|nodejs_)[a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m !== null) out.set(m[1] as string, Number(m[2]));
  }
  return out;
}

describe('metrics', () => {
  const t0 = Date.parse('2026-12-01T00:00:05Z');
  const state = new MigrationState({ nowMs: t0 - 60_000, chunkSize: 500, dmlBatchSize: 100 });
  Object.assign(state, {
    phase: 'copying', rowsEstimate: 10_000, rowsCopied: 2500, chunksCopied: 5, eventsApplied: 42, backlog: 3, backlogCapacity: 20_000,
    lastHeartbeatSeenMs: t0 - 250, copyStartedAtMs: t0 - 50_000, lastChunkMs: 120, copyBusyMs: 600,
    throttleReason: 'outside window; next opens Tue 00:00:10 UTC (in 5s)', verifyChunks: 0, lockMs: undefined,
  });
  const copyWindow = new WindowSchedule([{ cron: '*/10 * * * * *', durationMs: 4000, timeZone: 'UTC' }]);
  const source: MetricsSource = { state, database: 'app', table: 'users', copyWindow, now: () => t0 };

  it('reads the live state at scrape time: the status line\'s numbers', async () => {
    const m = samples(await createMetricsRegistry(() => source).metrics());
    const l = '{database="app",table="users"}';
    expect(statusLine(state, t0)).toBe(
      'Copy: 2500/10000 25.0%; Applied: 42; Backlog: 3/20000; Time: 1m0s(total), 50s(copy); streamer: N/A; Lag: 0.25s, State: throttled, outside window; next opens Tue 00:00:10 UTC (in 5s); ETA: 2m30s',
    );
    expect(m.get(`oschange_rows_copied${l}`)).toBe(2500);
    expect(m.get(`oschange_rows_estimated${l}`)).toBe(10_000);
    expect(m.get(`oschange_copy_progress_ratio${l}`)).toBe(0.25);
    expect(m.get(`oschange_events_applied${l}`)).toBe(42);
    expect(m.get(`oschange_backlog_events${l}`)).toBe(3);
    expect(m.get(`oschange_backlog_capacity_events${l}`)).toBe(20_000);
    expect(m.get(`oschange_lag_seconds${l}`)).toBe(0.25);
    expect(m.get(`oschange_eta_seconds${l}`)).toBe(150);
    expect(m.get(`oschange_chunk_last_seconds${l}`)).toBe(0.12);
    expect(m.get(`oschange_throttled${l}`)).toBe(1);
    expect(m.get('oschange_throttle_reason{database="app",table="users",reason="window"}')).toBe(1);
    expect(m.get('oschange_throttle_reason{database="app",table="users",reason="replica-lag"}')).toBe(0);
    expect(m.get(`oschange_window_open${l}`)).toBe(0);
    expect(m.get(`oschange_window_next_open_timestamp_seconds${l}`)).toBe(Date.parse('2026-12-01T00:00:10Z') / 1000);
    expect(m.get('oschange_phase{database="app",table="users",phase="copying"}')).toBe(1);
    expect(m.get('oschange_phase{database="app",table="users",phase="done"}')).toBe(0);
    // Unknown values are left out, not reported as 0.
    expect(m.has(`oschange_cutover_lock_seconds${l}`)).toBe(false);
    expect(m.has(`oschange_max_write_rate_rows_per_second${l}`)).toBe(false);
  });

  it('between migrations there is nothing to report but the process', async () => {
    const text = await createMetricsRegistry(() => undefined).metrics();
    expect(samples(text).size).toBe(0);
    expect(text).toContain('oschange_process_resident_memory_bytes');
  });

  it('names the kind of each throttle reason', () => {
    expect(throttleKind('outside window; next opens Tue 01:00 CET (in 3h12m)')).toBe('window');
    expect(throttleKind('max-write-rate app.users 2100/s > 1000/s (last 10s)')).toBe('write-rate');
    expect(throttleKind('lag=2.48s on replica 127.0.0.1:3307')).toBe('replica-lag');
    expect(throttleKind('replica 127.0.0.1:3307 did not answer the lag check within 3s (counted as lagging)')).toBe('replica-lag');
    expect(throttleKind('max-load Threads_running=26 >= 25')).toBe('max-load');
    expect(throttleKind('flag-file /tmp/x')).toBe('flag-file');
    expect(throttleKind('commanded by user')).toBe('commanded');
    expect(throttleKind('throttle-query returned 1')).toBe('throttle-query');
    expect(throttleKind('throttle-http http://x/ answered 503')).toBe('throttle-http');
    expect(throttleKind('max-load check did not answer within 3s')).toBe('check-failed');
    expect(throttleKind('throttle-query failed: boom')).toBe('check-failed');
  });

  it('the progress bar\'s line: bar, percentage, rows, ETA and the throttle or window state', () => {
    expect(progressLine({ state, nowMs: t0, table: 'users', barWidth: 20 })).toBe(
      'users [█████░░░░░░░░░░░░░░░] 25% | 2500/10000 rows | ETA 2m30s | throttled, outside window; next opens Tue 00:00:10 UTC (in 5s)',
    );
  });
});
