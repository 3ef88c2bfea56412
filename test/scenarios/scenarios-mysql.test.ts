import { describe, expect, it } from 'vitest';
import { appliesTo, loadScenarios, runScenario } from '../helpers/scenario.js';
import { label, testServers } from '../helpers/servers.js';

// One file per flavor so the two flavors' scenarios run side by side.
const servers = testServers().filter((s) => s.version.flavor === 'mysql');
const scenarios = loadScenarios();

describe.each(servers.map((s) => [label(s), s] as const))('scenarios on %s', (_name, server) => {
  it.each(scenarios.filter((s) => appliesTo(s, server)).map((s) => [s.name, s] as const))('%s', async (_n, scenario) => {
    const outcome = await runScenario(scenario, server);
    if (scenario.expectFailure === undefined) expect(outcome.rowsCompared).toBeGreaterThan(0);
    // Workloads are paced (test/helpers/scenario.ts), so a scenario's work does not grow with the
    // machine's speed; the timeout is a wide margin for a slow, shared machine, not a speed check.
  }, 240_000);
});
