/** The chart of one flavor's results: rows copied over time by each tool, the floor as a dashed line. */
import { progressChart, type ChartSeries } from './chart.js';
import { isRan, type FlavorResults } from './results.js';

export function flavorChart(r: FlavorResults): string {
  const series: ChartSeries[] = [];
  if (isRan(r.floor)) series.push({ name: `floor (INSERT … SELECT) ${r.floor.seconds.toFixed(1)} s`, color: '#999999', dashed: true, points: [[0, 0], [r.floor.seconds, r.settings.rows]] });
  const add = (name: string, color: string, v: FlavorResults['oschangeQuiet']): void => {
    if (isRan(v)) series.push({ name: `${name} ${v.wallSeconds.toFixed(1)} s`, color, points: v.progress });
  };
  add('oschange, quiet', '#1f77b4', r.oschangeQuiet);
  add(`oschange, ${r.settings.loadEventsPerSecond} writes/s`, '#2ca02c', r.oschangeLoad);
  add(`pt-osc, ${r.settings.loadEventsPerSecond} writes/s`, '#ff7f0e', r.ptOscLoad);
  return progressChart({
    title: `${r.server}: rows copied over time`,
    subtitle: `${r.settings.rows.toLocaleString('en-US')} rows, ALTER TABLE … ${r.settings.alter}, ${r.date}`,
    series,
  });
}
