import { describeError } from '../errors.js';
import type { MigrationState } from '../state.js';
import { applySetting, isSettingName, parseSetting, readSetting, SETTING_HELP, SETTING_NAMES, type SettingChange, type SettingName } from './settings.js';
import { socketRefusal, type SocketPolicy } from './socket-policy.js';

/** What the control socket needs from the running migration (the Migrator implements it). */
export interface ControlTarget {
  /** Read and mutate the runtime settings directly. */
  readonly state: MigrationState;
  /** Multi-line `status`: config summary + status line. */
  statusText(): string;
  /** The `sup` line. */
  statusLine(): string;
  /** e.g. "binlog.000002:4711 (applied: binlog.000002:4700)". */
  coordinates(): string;
  /** What a socket user may set beyond the syntax (throttle-query, throttle-control-replicas). */
  readonly policy: SocketPolicy;
  /**
   * Called with the command's name (lower-cased, as typed: "pause", "chunk-size") for every
   * accepted command, before it takes effect. Rejecting refuses the command, which then has no
   * effect (gh-ost's on-interactive-command hook works the same way).
   */
  onCommand?(name: string): Promise<void> | void;
  /** Stops the migration at once (`panic`); state.panicReason is set too, for the throttler to see. */
  onPanic?(reason: string): void;
}

type CommandBody =
  | { readonly kind: 'help' | 'status' | 'sup' | 'coordinates' | 'unpostpone' | 'panic' }
  | { readonly kind: 'throttle'; readonly on: boolean }
  | { readonly kind: 'show'; readonly setting: SettingName }
  | { readonly kind: 'set'; readonly change: SettingChange };

/** A parsed command; `name` is what the operator typed, lower-cased (aliases kept). */
export type Command = CommandBody & { readonly name: string };

// A Map, not an object literal: `constructor` or `__proto__` must not look like commands.
const PLAIN = new Map<string, CommandBody>([
  ['help', { kind: 'help' }],
  ['status', { kind: 'status' }],
  ['info', { kind: 'status' }],
  ['sup', { kind: 'sup' }],
  ['coordinates', { kind: 'coordinates' }],
  ['throttle', { kind: 'throttle', on: true }],
  ['pause', { kind: 'throttle', on: true }],
  ['suspend', { kind: 'throttle', on: true }],
  ['no-throttle', { kind: 'throttle', on: false }],
  ['unthrottle', { kind: 'throttle', on: false }],
  ['resume', { kind: 'throttle', on: false }],
  ['continue', { kind: 'throttle', on: false }],
  ['unpostpone', { kind: 'unpostpone' }],
  ['cut-over', { kind: 'unpostpone' }],
  ['panic', { kind: 'panic' }],
]);

/** One line of the protocol → a command, or the problem (without the `ERROR: ` prefix). */
export function parseCommand(line: string): Command | { readonly error: string } {
  const text = line.trim();
  if (text === '') return { error: 'empty command; try "help"' };
  const eq = text.indexOf('=');
  const typed = (eq < 0 ? text : text.slice(0, eq)).trim();
  const name = typed.toLowerCase();
  const raw = eq < 0 ? undefined : text.slice(eq + 1).trim();
  const plain = PLAIN.get(name);
  if (plain !== undefined) {
    return raw === undefined ? { ...plain, name } : { error: `${name} takes no value; send just "${name}"` };
  }
  if (isSettingName(name)) {
    if (raw === undefined) return { error: `${name} needs a value: ${SETTING_HELP[name].form}, or ${name}=? to show it` };
    if (raw === '?') return { kind: 'show', setting: name, name };
    const change = parseSetting(name, raw);
    return 'error' in change ? change : { kind: 'set', change, name };
  }
  return { error: `unknown command "${clip(typed)}"; try "help"` };
}

/**
 * Runs one command against the migration and returns the reply (no trailing newline). Never
 * rejects: a refusal (socket policy, a failing interactive-command hook) or a failing target
 * method becomes an `ERROR: ` reply, and a refused command has no effect.
 */
export async function executeCommand(cmd: Command, target: ControlTarget): Promise<string> {
  const refused = cmd.kind === 'set' ? socketRefusal(cmd.change, target.policy) : undefined;
  if (refused !== undefined) return `ERROR: ${refused}`;
  try {
    await target.onCommand?.(cmd.name);
  } catch (err) {
    return `ERROR: ${cmd.name} refused: ${oneLine(describeError(err))}`;
  }
  try {
    return run(cmd, target).replace(/\n+$/, '');
  } catch (err) {
    return `ERROR: ${cmd.name} failed: ${oneLine(describeError(err))}`;
  }
}

/** Parse + execute: the reply to one received line. */
export async function replyTo(line: string, target: ControlTarget): Promise<string> {
  const cmd = parseCommand(line);
  return 'error' in cmd ? `ERROR: ${cmd.error}` : executeCommand(cmd, target);
}

/** Whether the command changes the migration (worth an info log line; `sup` every second is not). */
export function changesState(cmd: Command): boolean {
  return cmd.kind === 'set' || cmd.kind === 'throttle' || cmd.kind === 'unpostpone' || cmd.kind === 'panic';
}

function run(cmd: Command, target: ControlTarget): string {
  const s = target.state;
  switch (cmd.kind) {
    case 'help':
      return HELP;
    case 'status':
      return target.statusText();
    case 'sup':
      return target.statusLine();
    case 'coordinates':
      return target.coordinates();
    case 'throttle': {
      const before = s.commandedThrottle ? 'on' : 'off';
      s.commandedThrottle = cmd.on;
      return cmd.on ? `throttle: ${before} → on; "no-throttle" resumes` : `throttle: ${before} → off`;
    }
    case 'unpostpone':
      s.unpostponeRequested = true;
      return 'unpostpone: the cut-over will proceed without waiting for the postpone flag file';
    case 'panic':
      // The first reason wins: a panic flag file seen earlier stays the recorded cause.
      s.panicReason ??= 'panic command';
      target.onPanic?.(s.panicReason);
      return 'panic: the migration is being stopped';
    case 'show':
      return readSetting(s, cmd.setting);
    case 'set': {
      const setting = cmd.change.setting;
      const before = readSetting(s, setting);
      applySetting(s, cmd.change);
      return `${setting}: ${shown(before)} → ${shown(readSetting(s, setting))}`;
    }
  }
}

function shown(value: string): string {
  return value === '' ? '(none)' : value;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

const HELP_ROWS: readonly (readonly [string, string])[] = [
  ['help', 'this list'],
  ['status, info', 'the configuration summary and the status line'],
  ['sup', 'the status line'],
  ['coordinates', 'the binlog coordinates read and applied'],
  ['throttle, pause, suspend', 'hold the migration back until "no-throttle"'],
  ['no-throttle, unthrottle, resume, continue', 'end a throttle commanded here'],
  ...SETTING_NAMES.map((n) => [SETTING_HELP[n].form, SETTING_HELP[n].what] as const),
  ['X=?', 'show the current value of setting X, in the form X= accepts'],
  ['unpostpone, cut-over', 'cut over even though the postpone flag file exists'],
  ['panic', 'stop the migration now'],
];
const HELP_WIDTH = Math.max(...HELP_ROWS.map(([form]) => form.length)) + 2;
const HELP = HELP_ROWS.map(([form, what]) => `${form.padEnd(HELP_WIDTH)}${what}`).join('\n');
