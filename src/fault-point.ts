/**
 * Named points where the fault suite (test/integration/fault-suite.test.ts) kills this process
 * with SIGKILL, to prove that a crash at that exact moment loses nothing. Inert unless
 * OSCHANGE_TEST_CRASH_AT names the point; operators never set it.
 */
export type FaultPoint = 'cutover:locked' | 'cutover:rename-waiting' | 'cutover:sentry-dropped' | 'cutover:swapped';

export function faultPoint(name: FaultPoint): void {
  if (process.env['OSCHANGE_TEST_CRASH_AT'] === name) process.kill(process.pid, 'SIGKILL');
}
