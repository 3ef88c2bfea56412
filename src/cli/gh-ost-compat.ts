/**
 * gh-ost's command line, as oschange reads it: operators keep years of gh-ost invocations in their
 * scripts, and none should end as "Unknown argument". Every gh-ost flag oschange does not take under
 * the same name is listed here with what oschange does with it:
 * - `same`: oschange's flag of another name means the same (its value is taken for that flag);
 * - `noted`: accepted; one line says why it does not apply — oschange already behaves so, or the
 *   setting has no counterpart that could change the outcome;
 * - `refused`: accepting it silently would do something other than what the operator asked
 *   (migrate the primary instead of a replica, copy fewer columns, …): the run stops with one line
 *   saying why and what to do instead.
 * The flags gh-ost and oschange share (--alter, --chunk-size, --max-load, …) are oschange's own.
 */
export type GhostFlag =
  | { readonly kind: 'same'; readonly value: boolean; readonly as: string }
  | { readonly kind: 'noted'; readonly value: boolean; readonly why: string }
  | { readonly kind: 'refused'; readonly value: boolean; readonly why: string };

const noted = (value: boolean, why: string): GhostFlag => ({ kind: 'noted', value, why });
const refused = (value: boolean, why: string): GhostFlag => ({ kind: 'refused', value, why });

export const GHOST_FLAGS: ReadonlyMap<string, GhostFlag> = new Map<string, GhostFlag>([
  ['aliyun-rds', noted(false, 'oschange needs no provider switch: it reads the binlog and the replicas the same way everywhere')],
  ['azure', noted(false, 'oschange needs no provider switch: it reads the binlog and the replicas the same way everywhere')],
  ['gcp', noted(false, 'oschange needs no provider switch: it reads the binlog and the replicas the same way everywhere')],
  ['allow-master-master', noted(false, 'oschange migrates on the server it is pointed at (or that replica\'s primary) and does not refuse a master-master pair')],
  ['allow-nullable-unique-key', refused(false, 'oschange never walks a key that admits NULLs (rows with NULL keys cannot be told apart); add a PRIMARY KEY or a NOT NULL UNIQUE key first')],
  ['allow-setup-metadata-lock-instruments', noted(false, 'oschange never changes performance_schema\'s instruments: --force-kill-blockers-after reads the metadata locks where the server shows them, and otherwise says what to turn on')],
  ['skip-metadata-lock-check', noted(false, 'oschange reads metadata locks only for --force-kill-blockers-after; its cut-over sees its own rename waiting in the processlist')],
  ['allow-zero-in-date', noted(false, 'oschange\'s sessions always accept the zero dates a table holds (NO_ZERO_DATE and NO_ZERO_IN_DATE are off in them)')],
  ['assume-rbr', noted(false, 'oschange checks binlog_format=ROW and binlog_row_image=FULL itself and refuses when they are not set')],
  ['switch-to-rbr', noted(false, 'oschange never changes binlog_format: it requires ROW and says so when it is not')],
  ['binlogsyncer-max-reconnect-attempts', noted(true, 'oschange reconnects its binlog reader for --reconnect-timeout-seconds and then goes on from its last checkpoint')],
  ['charset', noted(true, 'oschange\'s sessions always use utf8mb4, which reads and writes every charset exactly')],
  ['check-flag', noted(false, 'every gh-ost flag is accepted by oschange')],
  ['checkpoint', noted(false, 'oschange always saves checkpoints (to _T_ghk, every --checkpoint-interval-seconds)')],
  ['checkpoint-seconds', { kind: 'same', value: true, as: 'checkpoint-interval-seconds' }],
  ['concurrent-rowcount', noted(false, 'oschange starts from the table\'s row estimate; --exact-rowcount counts first')],
  ['critical-load-hibernate-seconds', refused(true, 'oschange stops on critical load (with --critical-load-interval-millis for a second look) and does not hibernate; a throttle (--max-load) waits instead')],
  ['cut-over', noted(true, 'oschange always uses the atomic sentry-table swap (gh-ost\'s "atomic"), which works on MySQL and MariaDB alike')],
  ['cut-over-exponential-backoff', noted(false, 'oschange backs off between cut-over attempts already (0.5 s more each time, up to 5 s)')],
  ['exponential-backoff-max-interval', noted(true, 'oschange backs off between cut-over attempts already (0.5 s more each time, up to 5 s)')],
  ['debug', noted(false, 'set OSCHANGE_LOG_LEVEL=debug for oschange\'s debug log')],
  ['verbose', noted(false, 'oschange logs at info by default (OSCHANGE_LOG_LEVEL sets another level)')],
  ['quiet', noted(false, 'set OSCHANGE_LOG_LEVEL=warn for a quieter log')],
  ['stack', noted(false, 'oschange\'s errors say what went wrong and what to do; OSCHANGE_LOG_LEVEL=debug logs more')],
  ['force-named-cut-over', noted(false, 'oschange\'s control socket is the operator\'s alone (mode 0600, or a token over TCP): "unpostpone" needs no table name')],
  ['force-named-panic', noted(false, 'oschange\'s control socket is the operator\'s alone (mode 0600, or a token over TCP): "panic" needs no table name')],
  ['force-table-names', refused(true, 'oschange names its helper tables after the table (_T_gho, _T_ghc, _T_ghk, _T_del) and finds an interrupted migration by them')],
  ['gtid', noted(false, 'oschange reads the binlog by file and position and keeps them in its checkpoint; GTIDs are not needed')],
  ['hooks-hint', noted(true, 'oschange passes no hint to its hooks; set what a hook needs in its environment')],
  ['hooks-hint-owner', noted(true, 'oschange passes no hint to its hooks; set what a hook needs in its environment')],
  ['hooks-hint-token', noted(true, 'oschange passes no hint to its hooks; set what a hook needs in its environment')],
  ['ignore-http-errors', refused(false, 'oschange throttles while --throttle-http does not answer 200, errors included: it fails closed')],
  ['initially-drop-socket-file', noted(false, 'oschange removes a control socket no process answers on, and refuses one a live process serves')],
  ['master-user', refused(true, 'oschange logs in to the primary with the same user as to the replica it was pointed at; give that user the privileges on both')],
  ['master-password', refused(true, 'oschange logs in to the primary with the same user as to the replica it was pointed at; give that user the privileges on both')],
  ['migrate-on-replica', refused(false, 'oschange migrates on the primary only; pointed at a replica it migrates that replica\'s primary — run it against the server you mean')],
  ['test-on-replica', refused(false, 'oschange migrates on the primary only; try the ALTER with a dry run (without --execute) or `oschange lint` instead')],
  ['test-on-replica-skip-replica-stop', refused(false, 'oschange migrates on the primary only; try the ALTER with a dry run (without --execute) or `oschange lint` instead')],
  ['mysql-timeout', noted(true, 'oschange bounds its own waits (connections 10 s, throttle checks 3 s, the cut-over\'s lock --cut-over-lock-timeout-seconds)')],
  ['panic-on-warnings', noted(false, 'oschange always stops on a warning that means a changed or dropped row (the write guard); --allow-data-loss names what may change')],
  ['skip-strict-mode', refused(false, 'oschange always writes in strict mode so that no value changes silently; --allow-data-loss=truncate accepts values that do not fit, by name')],
  ['skip-port-validation', noted(false, 'oschange does not compare the port it was given with the server\'s @@port')],
  ['skip-renamed-columns', refused(false, 'oschange copies a renamed column\'s values (--approve-renamed-columns); to drop them, drop the column in the ALTER')],
  ['replication-lag-query', noted(true, 'oschange measures replica lag from its own heartbeat, on every replica, to the millisecond')],
  ['runtime-metrics-interval', noted(true, 'oschange\'s status line and control socket report its progress')],
  ['statsd-addr', noted(true, 'oschange does not send statsd metrics')],
  ['statsd-tags', noted(true, 'oschange does not send statsd metrics')],
  ['storage-engine', noted(true, 'oschange migrates InnoDB tables and refuses others')],
  ['throttle-http-interval-millis', noted(true, 'oschange checks --throttle-http every 100 ms, within its 3 s check limit')],
  ['throttle-http-timeout-millis', noted(true, 'oschange gives --throttle-http 3 s, and throttles when it does not answer in time')],
  ['tungsten', refused(false, 'oschange reads the binlog of the MySQL or MariaDB primary itself and does not work through Tungsten replication')],
  ['trigger-suffix', noted(true, 'oschange moves the triggers inside the cut-over lock under their own names (--include-triggers), so no second name is needed')],
  ['remove-trigger-suffix-if-exists', noted(false, 'oschange moves the triggers inside the cut-over lock under their own names (--include-triggers), so no second name is needed')],
  ['skip-foreign-key-checks', noted(false, 'oschange always reads the table\'s foreign keys (one query on information_schema) and says in the plan what the swap does with them')],
  ['revert', refused(false, 'oschange reverts with its own command: oschange revert --database D --table T, after a migration run with --keep-reverse-sync (README, "Rolling back")')],
  ['old-table', refused(true, 'oschange reverts with its own command: oschange revert --database D --table T, after a migration run with --keep-reverse-sync (README, "Rolling back")')],
]);
