/**
 * Named points where the fault suite (test/integration/fault-suite.test.ts) kills this process
 * with SIGKILL, to prove that a crash at that exact moment loses nothing (OSCHANGE_TEST_CRASH_AT),
 * or sends it SIGTERM, an operator's stop at that exact moment (OSCHANGE_TEST_SIGNAL_AT). Inert
 * unless a variable names the point; operators never set them.
 */
export type FaultPoint = 'cutover:locked' | 'cutover:triggers-moved' | 'cutover:rename-waiting' | 'cutover:sentry-dropped' | 'cutover:swapped';

export function faultPoint(name: FaultPoint): void {
  if (process.env['OSCHANGE_TEST_CRASH_AT'] === name) process.kill(process.pid, 'SIGKILL');
  // Emitted, not sent: the handlers run now, as if the signal had arrived exactly at this point.
  if (process.env['OSCHANGE_TEST_SIGNAL_AT'] === name) process.emit('SIGTERM', 'SIGTERM');
}

/** Points where the tests make a connection seem lost, once per process (OSCHANGE_TEST_LOSE_AT). */
export type LossPoint = 'attempt:before-first-checkpoint';

const lost = new Set<string>();

/**
 * Throws what mysql2 throws for a dropped connection, the first time the named point is reached
 * while OSCHANGE_TEST_LOSE_AT names it (`point` or `point#tag`: each new tag fires once more in the
 * same process): the tests prove the migration recovers from that moment.
 */
export function lossPoint(name: LossPoint): void {
  const wanted = process.env['OSCHANGE_TEST_LOSE_AT'];
  if (wanted === undefined || wanted.split('#')[0] !== name || lost.has(wanted)) return;
  lost.add(wanted);
  throw Object.assign(new Error(`Connection lost: the server closed the connection (test: ${name})`), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true });
}
