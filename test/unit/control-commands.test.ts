import { describe, expect, it } from 'vitest';
import { changesState, executeCommand, parseCommand, replyTo, type Command, type ControlTarget } from '../../src/control/commands.js';
import type { SocketPolicy } from '../../src/control/socket-policy.js';
import { MigrationState } from '../../src/state.js';

interface FakeTarget extends ControlTarget {
  readonly calls: string[];
}

/** The replicas the throttle-control-replicas tests name, as if the primary had reported them. */
const KNOWN_REPLICAS = [
  { host: 'replica-1.example.com', port: 3306 },
  { host: '10.0.0.7', port: 3307 },
  { host: '::1', port: 3308 },
  { host: 'fe80::1', port: 3306 },
  { host: 'keep', port: 3306 },
];
const POLICY: SocketPolicy = { allowAnyThrottleQuery: false, allowAnyReplicas: false, acceptedReplicas: () => KNOWN_REPLICAS };

function fakeTarget(overrides: Partial<Pick<ControlTarget, 'statusText' | 'statusLine' | 'coordinates' | 'onCommand' | 'onPanic' | 'policy'>> = {}): FakeTarget {
  const calls: string[] = [];
  return {
    policy: POLICY,
    state: new MigrationState({ nowMs: 0, chunkSize: 1000, dmlBatchSize: 100 }),
    calls,
    statusText: () => '# Migrating `app`.`t`\nCopy: 0/0 0.0%\n',
    statusLine: () => 'Copy: 0/0 0.0%; State: copying',
    coordinates: () => 'binlog.000002:4711 (applied: binlog.000002:4700)',
    onCommand: (name) => void calls.push(name),
    ...overrides,
  };
}

/** Every operator-visible field, maps and arrays spelled out, to prove a refused command changed nothing. */
function snapshot(s: MigrationState): string {
  return JSON.stringify({ ...s, maxLoad: [...s.maxLoad], criticalLoad: [...s.criticalLoad] });
}

async function expectRefused(line: string, reply: string, prepare?: (t: FakeTarget) => void): Promise<void> {
  const t = fakeTarget();
  prepare?.(t);
  const before = snapshot(t.state);
  expect(await replyTo(line, t)).toBe(reply);
  expect(snapshot(t.state)).toBe(before);
  expect(t.calls).toEqual([]);
}

describe('parseCommand', () => {
  it('ignores case and surrounding whitespace, and keeps the name as typed for hooks', async () => {
    expect(parseCommand('  SUP \r')).toEqual({ kind: 'sup', name: 'sup' });
    expect(parseCommand('Pause')).toEqual({ kind: 'throttle', on: true, name: 'pause' });
    expect(parseCommand(' Chunk-Size = 500 ')).toEqual({ kind: 'set', name: 'chunk-size', change: { setting: 'chunk-size', value: 500 } });
    expect(parseCommand('chunk-size=?')).toEqual({ kind: 'show', name: 'chunk-size', setting: 'chunk-size' });
  });
  it('splits at the first "=" only, keeping the value\'s case', () => {
    expect(parseCommand('throttle-query=SELECT IF(x=1, 1, 0) FROM Db.T')).toEqual({
      kind: 'set',
      name: 'throttle-query',
      change: { setting: 'throttle-query', value: 'SELECT IF(x=1, 1, 0) FROM Db.T' },
    });
  });
  it('names the problem for unknown, empty, value-less and value-carrying commands', async () => {
    expect(parseCommand('frobnicate')).toEqual({ error: 'unknown command "frobnicate"; try "help"' });
    expect(parseCommand('Foo=bar')).toEqual({ error: 'unknown command "Foo"; try "help"' });
    expect(parseCommand('constructor')).toEqual({ error: 'unknown command "constructor"; try "help"' });
    expect(parseCommand('   ')).toEqual({ error: 'empty command; try "help"' });
    expect(parseCommand('throttle=1')).toEqual({ error: 'throttle takes no value; send just "throttle"' });
    expect(parseCommand('chunk-size')).toEqual({ error: 'chunk-size needs a value: chunk-size=N, or chunk-size=? to show it' });
    expect(parseCommand(`x${'y'.repeat(200)}`)).toEqual({ error: `unknown command "x${'y'.repeat(79)}…"; try "help"` });
  });
});

describe('read-only commands', () => {
  it('help lists every command, one line each', async () => {
    const help = await replyTo('help', fakeTarget());
    const lines = help.split('\n');
    expect(lines).toHaveLength(19);
    expect(lines[0]).toMatch(/^help {2,}this list$/);
    const names = ['help', 'status', 'info', 'sup', 'coordinates', 'throttle', 'pause', 'suspend', 'no-throttle', 'unthrottle', 'resume', 'continue',
      'chunk-size=N', 'dml-batch-size=N', 'max-lag-millis=N', 'nice-ratio=F', 'max-load=Var=N[,Var=N...]', 'critical-load=Var=N[,Var=N...]',
      'throttle-query=SQL', 'throttle-control-replicas=host:port[,host:port...]', 'postpone-cut-over-flag-file=PATH', 'max-write-rate=N/s', 'X=?', 'unpostpone', 'cut-over', 'panic'];
    for (const n of names) expect(help).toContain(n);
    expect(help.endsWith('\n')).toBe(false);
  });
  it('status and info print the target\'s status text without the trailing newline', async () => {
    const t = fakeTarget();
    expect(await replyTo('status', t)).toBe('# Migrating `app`.`t`\nCopy: 0/0 0.0%');
    expect(await replyTo('INFO', t)).toBe('# Migrating `app`.`t`\nCopy: 0/0 0.0%');
    expect(t.calls).toEqual(['status', 'info']);
  });
  it('sup and coordinates', async () => {
    const t = fakeTarget();
    expect(await replyTo('sup', t)).toBe('Copy: 0/0 0.0%; State: copying');
    expect(await replyTo('coordinates', t)).toBe('binlog.000002:4711 (applied: binlog.000002:4700)');
  });
  it('a throwing target method becomes an ERROR reply', async () => {
    const t = fakeTarget({ statusLine: () => { throw new Error('no streamer\nyet'); } });
    expect(await replyTo('sup', t)).toBe('ERROR: sup failed: no streamer yet');
    expect(await replyTo('coordinates', fakeTarget({ coordinates: () => { throw 'plain string'; } }))).toBe('ERROR: coordinates failed: plain string');
  });
});

describe('throttle and friends', () => {
  it.each(['throttle', 'pause', 'suspend'])('%s throttles', async (name) => {
    const t = fakeTarget();
    expect(await replyTo(name, t)).toBe('throttle: off → on; "no-throttle" resumes');
    expect(t.state.commandedThrottle).toBe(true);
    expect(await replyTo(name, t)).toBe('throttle: on → on; "no-throttle" resumes');
    expect(t.calls).toEqual([name, name]);
  });
  it.each(['no-throttle', 'unthrottle', 'resume', 'continue'])('%s ends it', async (name) => {
    const t = fakeTarget();
    t.state.commandedThrottle = true;
    expect(await replyTo(name, t)).toBe('throttle: on → off');
    expect(t.state.commandedThrottle).toBe(false);
    expect(await replyTo(name, t)).toBe('throttle: off → off');
  });
  it.each(['unpostpone', 'cut-over'])('%s lets the cut-over proceed', async (name) => {
    const t = fakeTarget();
    expect(await replyTo(name, t)).toBe('unpostpone: the cut-over will proceed without waiting for the postpone flag file');
    expect(t.state.unpostponeRequested).toBe(true);
  });
  it('panic stops the migration, keeping an earlier reason', async () => {
    const t = fakeTarget();
    expect(await replyTo('panic', t)).toBe('panic: the migration is being stopped');
    expect(t.state.panicReason).toBe('panic command');
    const u = fakeTarget();
    u.state.panicReason = 'panic flag file /tmp/p exists';
    expect(await replyTo('panic', u)).toBe('panic: the migration is being stopped');
    expect(u.state.panicReason).toBe('panic flag file /tmp/p exists');
  });
});

describe('whole-number settings', () => {
  const cases = [
    { name: 'chunk-size', min: 10, max: 1_000_000, initial: '1000', read: (s: MigrationState) => s.chunkSize },
    { name: 'dml-batch-size', min: 1, max: 10_000, initial: '100', read: (s: MigrationState) => s.dmlBatchSize },
    { name: 'max-lag-millis', min: 100, max: 3_600_000, initial: '1500', read: (s: MigrationState) => s.maxLagMillis },
  ];
  it.each(cases)('$name accepts $min..$max and shows its value', async ({ name, min, max, initial, read }) => {
    const t = fakeTarget();
    expect(await replyTo(`${name}=?`, t)).toBe(initial);
    expect(await replyTo(`${name}=${min}`, t)).toBe(`${name}: ${initial} → ${min}`);
    expect(read(t.state)).toBe(min);
    expect(await replyTo(`${name}=${max}`, t)).toBe(`${name}: ${min} → ${max}`);
    expect(read(t.state)).toBe(max);
    expect(await replyTo(`${name}=?`, t)).toBe(String(max));
    expect(await replyTo(`${name}=007${min}`, fakeTarget())).toMatch(/→/);
  });
  it.each(cases.flatMap(({ name, min, max }) => [String(min - 1), String(max + 1), 'abc', '1e3', '0x10', '-5', '12.5', '', '+50', '99999999999999999999'].map((bad) => ({ name, min, max, bad }))))(
    '$name refuses "$bad" and changes nothing',
    async ({ name, min, max, bad }) => {
      await expectRefused(`${name}=${bad}`, `ERROR: ${name} must be a whole number from ${min} to ${max} (got ${bad === '' ? 'nothing' : bad})`);
    },
  );
  it('matches the documented example exactly', async () => {
    await expectRefused('chunk-size=abc', 'ERROR: chunk-size must be a whole number from 10 to 1000000 (got abc)');
  });
});

describe('nice-ratio', () => {
  it('accepts fractions from 0 to 100', async () => {
    const t = fakeTarget();
    expect(await replyTo('nice-ratio=?', t)).toBe('0');
    expect(await replyTo('nice-ratio=0.5', t)).toBe('nice-ratio: 0 → 0.5');
    expect(await replyTo('nice-ratio=.25', t)).toBe('nice-ratio: 0.5 → 0.25');
    expect(await replyTo('nice-ratio=100', t)).toBe('nice-ratio: 0.25 → 100');
    expect(await replyTo('nice-ratio=3.', t)).toBe('nice-ratio: 100 → 3');
    expect(await replyTo('nice-ratio=0', t)).toBe('nice-ratio: 3 → 0');
    expect(t.state.niceRatio).toBe(0);
  });
  it.each(['100.5', '-1', '1e1', 'abc', '', '.', 'NaN', 'Infinity'])('refuses "%s"', async (bad) => {
    await expectRefused(`nice-ratio=${bad}`, `ERROR: nice-ratio must be a number from 0 to 100, e.g. 0.5 (got ${bad === '' ? 'nothing' : bad})`);
  });
});

describe('max-load and critical-load', () => {
  it.each([
    { name: 'max-load', read: (s: MigrationState) => s.maxLoad },
    { name: 'critical-load', read: (s: MigrationState) => s.criticalLoad },
  ])('$name sets, shows and clears a status-variable map', async ({ name, read }) => {
    const t = fakeTarget();
    expect(await replyTo(`${name}=?`, t)).toBe('');
    expect(await replyTo(`${name}=Threads_running=50, Threads_connected = 500`, t)).toBe(`${name}: (none) → Threads_running=50,Threads_connected=500`);
    expect([...read(t.state)]).toEqual([['Threads_running', 50], ['Threads_connected', 500]]);
    expect(await replyTo(`${name}=?`, t)).toBe('Threads_running=50,Threads_connected=500');
    expect(await replyTo(`${name}=Threads_running=0`, t)).toBe(`${name}: Threads_running=50,Threads_connected=500 → Threads_running=0`);
    expect(await replyTo(`${name}=`, t)).toBe(`${name}: Threads_running=0 → (none)`);
    expect(read(t.state).size).toBe(0);
  });
  const form = 'must be Var=N[,Var=N...] with status variable names and whole numbers, or empty to clear';
  it.each([
    ['Threads_running', ''],
    ['Threads_running=', ''],
    ['Threads_running=-1', ''],
    ['Threads_running=1.5', ''],
    ['Threads-running=5', ''],
    ['Threads_running=5,', ''],
    ['=5', ''],
    ['Threads_running=5,threads_RUNNING=6', ': threads_RUNNING appears twice'],
  ])('refuses "%s"', async (bad, why) => {
    const prepare = (t: FakeTarget): void => {
      t.state.maxLoad = new Map([['Threads_running', 9]]);
      t.state.criticalLoad = new Map([['Threads_running', 99]]);
    };
    await expectRefused(`max-load=${bad}`, `ERROR: max-load ${form} (got ${bad}${why})`, prepare);
    await expectRefused(`critical-load=${bad}`, `ERROR: critical-load ${form} (got ${bad}${why})`, prepare);
  });
});

describe('throttle-query', () => {
  it('stores the text as given, shows it, and clears on empty', async () => {
    const t = fakeTarget();
    expect(await replyTo('throttle-query=?', t)).toBe('');
    expect(await replyTo('throttle-query=select HOUR(NOW()) between 8 and 17', t)).toBe('throttle-query: (none) → select HOUR(NOW()) between 8 and 17');
    expect(t.state.throttleQuery).toBe('select HOUR(NOW()) between 8 and 17');
    expect(await replyTo('throttle-query=?', t)).toBe('select HOUR(NOW()) between 8 and 17');
    expect(await replyTo('throttle-query=', t)).toBe('throttle-query: select HOUR(NOW()) between 8 and 17 → (none)');
    expect(t.state.throttleQuery).toBeUndefined();
  });
  it('needs "=" to be a set', async () => {
    await expectRefused('throttle-query', 'ERROR: throttle-query needs a value: throttle-query=SQL, or throttle-query=? to show it');
  });
});

describe('throttle-control-replicas', () => {
  it('parses host[:port] lists with 3306 as the default port', async () => {
    const t = fakeTarget();
    expect(await replyTo('throttle-control-replicas=?', t)).toBe('');
    expect(await replyTo('throttle-control-replicas=replica-1.example.com, 10.0.0.7:3307,[::1]:3308,[fe80::1]', t)).toBe(
      'throttle-control-replicas: (none) → replica-1.example.com:3306,10.0.0.7:3307,[::1]:3308,[fe80::1]:3306',
    );
    expect(t.state.throttleControlReplicas).toEqual([
      { host: 'replica-1.example.com', port: 3306 },
      { host: '10.0.0.7', port: 3307 },
      { host: '::1', port: 3308 },
      { host: 'fe80::1', port: 3306 },
    ]);
    expect(await replyTo('throttle-control-replicas=?', t)).toBe('replica-1.example.com:3306,10.0.0.7:3307,[::1]:3308,[fe80::1]:3306');
    expect(await replyTo('throttle-control-replicas=', t)).toBe('throttle-control-replicas: replica-1.example.com:3306,10.0.0.7:3307,[::1]:3308,[fe80::1]:3306 → (none)');
    expect(t.state.throttleControlReplicas).toEqual([]);
  });
  const form = 'must be host[:port][,host[:port]...] with ports from 1 to 65535, or empty to clear';
  it.each([
    ['db1:0', ': port 0 is out of range'],
    ['db1:65536', ': port 65536 is out of range'],
    ['db1:abc', ''],
    ['db1:', ''],
    ['db1,,db2', ''],
    ['db1,', ''],
    ['db 1', ''],
    ['::1:3306', ''],
    ['[host1]:3306', ''],
    ['db1:3306,db1', ': db1:3306 appears twice'],
  ])('refuses "%s"', async (bad, why) => {
    await expectRefused(`throttle-control-replicas=${bad}`, `ERROR: throttle-control-replicas ${form} (got ${bad}${why})`, (t) => {
      t.state.throttleControlReplicas = [{ host: 'keep', port: 3306 }];
    });
  });
});

describe('postpone-cut-over-flag-file', () => {
  it('sets, shows and clears the path', async () => {
    const t = fakeTarget();
    expect(await replyTo('postpone-cut-over-flag-file=?', t)).toBe('');
    expect(await replyTo('postpone-cut-over-flag-file=/tmp/Postpone Me.flag', t)).toBe('postpone-cut-over-flag-file: (none) → /tmp/Postpone Me.flag');
    expect(t.state.postponeCutOverFlagFile).toBe('/tmp/Postpone Me.flag');
    expect(await replyTo('postpone-cut-over-flag-file=?', t)).toBe('/tmp/Postpone Me.flag');
    expect(await replyTo('postpone-cut-over-flag-file=', t)).toBe('postpone-cut-over-flag-file: /tmp/Postpone Me.flag → (none)');
    expect(t.state.postponeCutOverFlagFile).toBeUndefined();
  });
});

describe('refusals change nothing', () => {
  it.each([
    ['bogus', 'ERROR: unknown command "bogus"; try "help"'],
    ['', 'ERROR: empty command; try "help"'],
    ['panic=now', 'ERROR: panic takes no value; send just "panic"'],
    ['no-throttle=1', 'ERROR: no-throttle takes no value; send just "no-throttle"'],
    ['sup=?', 'ERROR: sup takes no value; send just "sup"'],
    ['max-load', 'ERROR: max-load needs a value: max-load=Var=N[,Var=N...], or max-load=? to show it'],
  ])('"%s"', async (line, reply) => await expectRefused(line, reply));
});

describe('onCommand', () => {
  it('hears every accepted command by the name typed, before it takes effect', async () => {
    const t = fakeTarget();
    const seen: string[] = [];
    const target: ControlTarget = { ...t, onCommand: (name) => { t.calls.push(name); seen.push(`${t.state.commandedThrottle}/${t.state.chunkSize}`); } };
    for (const line of ['help', 'Suspend', 'chunk-size=?', 'chunk-size=50', 'nope', 'chunk-size=1']) await replyTo(line, target);
    expect(t.calls).toEqual(['help', 'suspend', 'chunk-size', 'chunk-size']);
    expect(seen).toEqual(['false/1000', 'false/1000', 'true/1000', 'true/1000']);
  });
  it('a throwing hook refuses the command', async () => {
    const t = fakeTarget({ onCommand: () => { throw new Error('hook exited 1'); } });
    expect(await replyTo('chunk-size=500', t)).toBe('ERROR: chunk-size refused: hook exited 1');
    expect(t.state.chunkSize).toBe(1000);
  });
  it('waits for an asynchronous hook, and a rejecting one refuses the command with no effect', async () => {
    let release: () => void = () => undefined;
    const t = fakeTarget({ onCommand: () => new Promise<void>((resolve) => (release = resolve)) });
    const reply = replyTo('chunk-size=500', t);
    await new Promise((r) => setTimeout(r, 20));
    expect(t.state.chunkSize).toBe(1000);
    release();
    expect(await reply).toBe('chunk-size: 1000 → 500');
    const failing = 'hook /hooks/oschange-on-interactive-command failed on event interactive-command: exited with status 3; last stderr line: not now';
    for (const line of ['chunk-size=50', 'pause', 'panic', 'throttle-query=SELECT 1', 'unpostpone']) {
      await expectRefused(line, `ERROR: ${parseName(line)} refused: ${failing}`, (u) => {
        Object.assign(u, { onCommand: () => Promise.reject(new Error(failing)), onPanic: () => { throw new Error('onPanic must not be called'); } });
      });
    }
  });
});

function parseName(line: string): string {
  const cmd = parseCommand(line);
  if ('error' in cmd) throw new Error(cmd.error);
  return cmd.name;
}

describe('panic', () => {
  it('stops the migration at once through onPanic, with the first reason', async () => {
    const stops: string[] = [];
    const t = fakeTarget({ onPanic: (reason) => stops.push(reason) });
    expect(await replyTo('panic', t)).toBe('panic: the migration is being stopped');
    expect(stops).toEqual(['panic command']);
    const u = fakeTarget({ onPanic: (reason) => stops.push(reason) });
    u.state.panicReason = 'panic flag file /tmp/p exists';
    await replyTo('panic', u);
    expect(stops).toEqual(['panic command', 'panic flag file /tmp/p exists']);
  });
});

describe('what the socket may set (SocketPolicy)', () => {
  const querySuffix = '; the socket accepts only a single read-only SELECT (give other queries with --throttle-query, or start oschange with --allow-socket-throttle-query-any)';
  it.each([
    ['SELECT SLEEP(10)', 'it must not call SLEEP() (locks, waits, sleeps and file reads are refused)'],
    ['select 1; drop table t', 'it must be a single statement (no ";")'],
    ['UPDATE t SET v = 1', 'it must be a single SELECT'],
    ['SELECT v FROM t FOR UPDATE', 'it must not take row locks (no FOR UPDATE, FOR SHARE, LOCK IN SHARE MODE)'],
    ['SELECT v INTO @x FROM t', 'it must not write anything (no INTO)'],
    ['SELECT 1 /*!50000 INTO OUTFILE \'/tmp/x\' */', 'it must not contain comments (/* */, --, #)'],
  ])('refuses throttle-query=%s', async (sql, problem) => {
    await expectRefused(`throttle-query=${sql}`, `ERROR: throttle-query refused: ${problem}${querySuffix}`);
  });
  it('accepts a read-only SELECT, clearing, and any query with --allow-socket-throttle-query-any', async () => {
    const t = fakeTarget();
    expect(await replyTo("throttle-query=SELECT COUNT(*) > 10 FROM information_schema.PROCESSLIST WHERE STATE = 'Sending data; or not'", t)).toMatch(/^throttle-query: \(none\) → SELECT COUNT/);
    expect(await replyTo('throttle-query=', t)).toMatch(/→ \(none\)$/);
    const any = fakeTarget({ policy: { ...POLICY, allowAnyThrottleQuery: true } });
    expect(await replyTo('throttle-query=SELECT SLEEP(0)', any)).toBe('throttle-query: (none) → SELECT SLEEP(0)');
  });
  it('accepts only known replicas in throttle-control-replicas, naming those it accepts', async () => {
    const small: SocketPolicy = { ...POLICY, acceptedReplicas: () => [{ host: '127.0.0.1', port: 3307 }] };
    const t = fakeTarget({ policy: small });
    expect(await replyTo('throttle-control-replicas=127.0.0.1:3307', t)).toBe('throttle-control-replicas: (none) → 127.0.0.1:3307');
    const before = JSON.stringify(t.state.throttleControlReplicas);
    expect(await replyTo('throttle-control-replicas=127.0.0.1:3307,evil.example.com:3306', t)).toBe(
      'ERROR: throttle-control-replicas refused: evil.example.com:3306 is not a replica this migration knows; accepted: 127.0.0.1:3307 ' +
        "(the primary's replicas and those given with --throttle-control-replicas; --allow-socket-throttle-control-replicas-any accepts any)",
    );
    expect(JSON.stringify(t.state.throttleControlReplicas)).toBe(before);
    const none = fakeTarget({ policy: { ...POLICY, acceptedReplicas: () => [] } });
    expect(await replyTo('throttle-control-replicas=a,b:3307', none)).toMatch(/^ERROR: throttle-control-replicas refused: a:3306,b:3307 are not replicas this migration knows; accepted: none \(/);
    expect(await replyTo('throttle-control-replicas=', none)).toBe('throttle-control-replicas: (none) → (none)');
    const any = fakeTarget({ policy: { ...POLICY, allowAnyReplicas: true, acceptedReplicas: () => [] } });
    expect(await replyTo('throttle-control-replicas=db9:3310', any)).toBe('throttle-control-replicas: (none) → db9:3310');
  });
});

describe('executeCommand and changesState', () => {
  it('runs a parsed command', async () => {
    const t = fakeTarget();
    const cmd: Command = { kind: 'set', name: 'dml-batch-size', change: { setting: 'dml-batch-size', value: 7 } };
    expect(await executeCommand(cmd, t)).toBe('dml-batch-size: 100 → 7');
  });
  it('tells changes from reads', async () => {
    const kinds = ['sup', 'status', 'help', 'coordinates', 'chunk-size=?', 'pause', 'resume', 'panic', 'cut-over', 'chunk-size=20'].map((line) => {
      const cmd = parseCommand(line);
      if ('error' in cmd) throw new Error(cmd.error);
      return changesState(cmd);
    });
    expect(kinds).toEqual([false, false, false, false, false, true, true, true, true, true]);
  });
});
