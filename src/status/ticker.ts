/**
 * Prints the status line now and then until stopped: every `fixedMs` when the operator set an
 * interval (--status-interval-millis), else at the cadence `cadenceMs()` gives for the run's progress
 * (often at the start and near the end, rarely in between).
 */
export function startStatusTicker(o: { print: () => void; fixedMs: number; cadenceMs: () => number }): { stop: () => void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (): void => {
    timer = setTimeout(() => {
      if (stopped) return;
      o.print();
      schedule();
    }, o.fixedMs > 0 ? o.fixedMs : o.cadenceMs());
  };
  schedule();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
