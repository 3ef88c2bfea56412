import type { MigrationState } from '../state.js';
import { formatHostPort, HOST_PORT_FORM, parseHostPortList, type HostPort } from '../throttle/host-port.js';
import { formatLoadSpec, LOAD_SPEC_FORM, parseLoadSpec } from '../throttle/load-spec.js';
import { parseWriteRate, WRITE_RATE_FORM } from '../throttle/write-rate.js';

/** The runtime settings an operator may read (`X=?`) and change (`X=value`) over the control socket. */
export const SETTING_NAMES = [
  'chunk-size',
  'dml-batch-size',
  'max-lag-millis',
  'nice-ratio',
  'max-load',
  'critical-load',
  'throttle-query',
  'throttle-control-replicas',
  'postpone-cut-over-flag-file',
  'max-write-rate',
] as const;
export type SettingName = (typeof SETTING_NAMES)[number];

export type { HostPort } from '../throttle/host-port.js';

/** One validated change, ready to apply; the `setting` field tells which value type it holds. */
export type SettingChange =
  | { readonly setting: 'chunk-size' | 'dml-batch-size' | 'max-lag-millis' | 'nice-ratio'; readonly value: number }
  | { readonly setting: 'max-load' | 'critical-load'; readonly value: ReadonlyMap<string, number> }
  | { readonly setting: 'throttle-query' | 'postpone-cut-over-flag-file'; readonly value: string | undefined }
  | { readonly setting: 'throttle-control-replicas'; readonly value: readonly HostPort[] }
  | { readonly setting: 'max-write-rate'; readonly value: number | undefined };

const WHOLE_RANGES = {
  'chunk-size': { min: 10, max: 1_000_000 },
  'dml-batch-size': { min: 1, max: 10_000 },
  'max-lag-millis': { min: 100, max: 3_600_000 },
} as const;

/** How each setting is written and what it does: the `help` lines and the `needs a value` errors. */
export const SETTING_HELP: Readonly<Record<SettingName, { readonly form: string; readonly what: string }>> = {
  'chunk-size': { form: 'chunk-size=N', what: 'rows per copy chunk, 10 to 1000000' },
  'dml-batch-size': { form: 'dml-batch-size=N', what: 'binlog row events per apply batch, 1 to 10000' },
  'max-lag-millis': { form: 'max-lag-millis=N', what: 'throttle while replication lag is above N ms, 100 to 3600000' },
  'nice-ratio': { form: 'nice-ratio=F', what: "sleep F times each chunk's copy time after it, 0 to 100" },
  'max-load': { form: 'max-load=Var=N[,Var=N...]', what: 'throttle while a status variable is at or above N; empty clears' },
  'critical-load': { form: 'critical-load=Var=N[,Var=N...]', what: 'abort when a status variable is at or above N; empty clears' },
  'throttle-query': { form: 'throttle-query=SQL', what: 'throttle while this single read-only SELECT returns a value above 0; empty clears' },
  'throttle-control-replicas': { form: 'throttle-control-replicas=host:port[,host:port...]', what: 'throttle on these replicas\' lag (known replicas only; port defaults to 3306); empty clears' },
  'postpone-cut-over-flag-file': { form: 'postpone-cut-over-flag-file=PATH', what: 'do not cut over while this file exists; empty clears' },
  'max-write-rate': { form: 'max-write-rate=N/s', what: 'hold the copy while the application writes more rows per second; empty clears' },
};

export function isSettingName(name: string): name is SettingName {
  return (SETTING_NAMES as readonly string[]).includes(name);
}

/** Validates `raw` (already trimmed) for one setting; the error names the problem and the accepted form. */
export function parseSetting(setting: SettingName, raw: string): SettingChange | { readonly error: string } {
  const got = raw === '' ? 'nothing' : raw;
  switch (setting) {
    case 'chunk-size':
    case 'dml-batch-size':
    case 'max-lag-millis': {
      const { min, max } = WHOLE_RANGES[setting];
      // A digit-only pattern first: Number() would accept '1e3', '0x10' and ' '.
      const n = /^\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
      if (!(n >= min && n <= max)) return { error: `${setting} must be a whole number from ${min} to ${max} (got ${got})` };
      return { setting, value: n };
    }
    case 'nice-ratio': {
      const n = /^(\d{1,16}(\.\d*)?|\.\d+)$/.test(raw) ? Number(raw) : Number.NaN;
      if (!(n >= 0 && n <= 100)) return { error: `nice-ratio must be a number from 0 to 100, e.g. 0.5 (got ${got})` };
      return { setting, value: n };
    }
    case 'max-load':
    case 'critical-load': {
      const parsed = parseLoadSpec(raw);
      if ('problem' in parsed) return { error: `${setting} must be ${LOAD_SPEC_FORM}, or empty to clear (got ${got}${parsed.problem})` };
      return { setting, value: parsed };
    }
    case 'throttle-query':
    case 'postpone-cut-over-flag-file':
      return { setting, value: raw === '' ? undefined : raw };
    case 'throttle-control-replicas': {
      const parsed = parseHostPortList(raw);
      if ('problem' in parsed) return { error: `throttle-control-replicas must be ${HOST_PORT_FORM}, or empty to clear (got ${got}${parsed.problem})` };
      return { setting, value: parsed };
    }
    case 'max-write-rate': {
      if (raw === '') return { setting, value: undefined };
      const parsed = parseWriteRate(raw);
      if (typeof parsed !== 'number') return { error: `max-write-rate must be ${WRITE_RATE_FORM}, or empty to clear (got ${got}${parsed.problem})` };
      return { setting, value: parsed };
    }
  }
}

/** The current value in the syntax `parseSetting` accepts; '' when unset. */
export function readSetting(state: MigrationState, setting: SettingName): string {
  switch (setting) {
    case 'chunk-size':
      return String(state.chunkSize);
    case 'dml-batch-size':
      return String(state.dmlBatchSize);
    case 'max-lag-millis':
      return String(state.maxLagMillis);
    case 'nice-ratio':
      return String(state.niceRatio);
    case 'max-load':
      return formatLoadSpec(state.maxLoad);
    case 'critical-load':
      return formatLoadSpec(state.criticalLoad);
    case 'throttle-query':
      return state.throttleQuery ?? '';
    case 'throttle-control-replicas':
      return state.throttleControlReplicas.map(formatHostPort).join(',');
    case 'postpone-cut-over-flag-file':
      return state.postponeCutOverFlagFile ?? '';
    case 'max-write-rate':
      return state.maxWriteRate === undefined ? '' : `${state.maxWriteRate}/s`;
  }
}

export function applySetting(state: MigrationState, change: SettingChange): void {
  switch (change.setting) {
    case 'chunk-size':
      // The operator's size is kept: the chunk size stops adapting to --chunk-time-millis.
      state.chunkSize = change.value;
      state.chunkTimeMs = 0;
      return;
    case 'dml-batch-size':
      state.dmlBatchSize = change.value;
      return;
    case 'max-lag-millis':
      state.maxLagMillis = change.value;
      return;
    case 'nice-ratio':
      state.niceRatio = change.value;
      return;
    case 'max-load':
      state.maxLoad = change.value;
      return;
    case 'critical-load':
      state.criticalLoad = change.value;
      return;
    case 'throttle-query':
      state.throttleQuery = change.value;
      return;
    case 'postpone-cut-over-flag-file':
      state.postponeCutOverFlagFile = change.value;
      return;
    case 'throttle-control-replicas':
      state.throttleControlReplicas = change.value;
      return;
    case 'max-write-rate':
      state.maxWriteRate = change.value;
      return;
  }
}
