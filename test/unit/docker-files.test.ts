import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createMetricsRegistry } from '../../src/metrics/metrics.js';
import { MigrationState } from '../../src/state.js';

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** No Docker engine here: the files are read as Docker, Compose, Kubernetes and Grafana would read them. */
describe('docker/', () => {
  it('the Dockerfile builds in one stage and runs `oschange` as its entry point in another', () => {
    const lines = read('docker/Dockerfile').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    expect(lines.filter((l) => l.startsWith('FROM '))).toEqual(['FROM node:20-bookworm-slim AS build', 'FROM node:20-bookworm-slim']);
    expect(lines).toContain('ENTRYPOINT ["oschange"]');
    expect(lines.find((l) => l.startsWith('RUN npm install --global'))).toContain('--omit=dev');
    // Relative paths only in RUN steps: the package test runs them in a temporary directory.
    for (const run of lines.filter((l) => l.startsWith('RUN '))) expect(run).not.toMatch(/\s\/\S/);
  });

  it('compose.yml: a primary, a replica, replication set up, and the scheduler as a daemon with metrics', () => {
    const compose = parse(read('docker/compose.yml')) as { services: Record<string, { command?: string; build?: { dockerfile: string }; depends_on?: Record<string, { condition: string }> }> };
    expect(Object.keys(compose.services).sort()).toEqual(['primary', 'replica', 'replication', 'scheduler']);
    const scheduler = compose.services['scheduler'];
    expect(scheduler?.build?.dockerfile).toBe('docker/Dockerfile');
    expect(scheduler?.command).toMatch(/^queue run --daemon --host primary --user oschange .*--metrics-port 9105 --metrics-address 0\.0\.0\.0$/);
    expect(scheduler?.depends_on?.['replication']?.condition).toBe('service_completed_successfully');
  });

  it('the Kubernetes CronJob runs `oschange queue run` once per schedule, one pod at a time, the password from a secret', () => {
    const job = parse(read('docker/kubernetes/cronjob.yaml')) as {
      kind: string;
      spec: { schedule: string; concurrencyPolicy: string; jobTemplate: { spec: { template: { spec: { containers: { args: string[]; env: { name: string; valueFrom?: unknown }[] }[] } } } } };
    };
    expect(job.kind).toBe('CronJob');
    expect(job.spec.concurrencyPolicy).toBe('Forbid');
    const container = job.spec.jobTemplate.spec.template.spec.containers[0];
    expect(container?.args.slice(0, 2)).toEqual(['queue', 'run']);
    expect(container?.env.find((e) => e.name === 'OSCHANGE_PASSWORD')?.valueFrom).toEqual({ secretKeyRef: { name: 'oschange', key: 'password' } });
  });

  it('the Grafana dashboard asks only for metrics oschange serves', async () => {
    const dashboard = JSON.parse(read('docker/grafana/oschange-dashboard.json')) as { panels: { targets: { expr: string }[] }[] };
    const state = new MigrationState({ nowMs: 0, chunkSize: 1, dmlBatchSize: 1 });
    const served = new Set((await createMetricsRegistry(() => ({ state, database: 'd', table: 't', copyWindow: undefined, now: () => 0 })).getMetricsAsJSON()).map((m) => m.name));
    const asked = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/oschange_[a-z_]+/g)].map((m) => m[0])));
    expect(asked.length).toBeGreaterThan(10);
    expect(asked.filter((name) => !served.has(name))).toEqual([]);
  });
});
