/**
 * A controller's loop for abuse tests: `once()` (one request and its answer) every `periodMs` of wall time, the
 * controller's own pace and not a wait of the test, until `stop()`, which resolves with the number of rounds and
 * the slowest one in ms. A round that throws ends the loop and `stop()` rejects with its error.
 */
export function pollLoop(periodMs: number, once: () => Promise<void>): { stop(): Promise<{ rounds: number; slowestMs: number }> } {
  let running = true;
  let rounds = 0;
  let slowestMs = 0;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      await once();
      slowestMs = Math.max(slowestMs, performance.now() - t0);
      rounds++;
      await new Promise((r) => setTimeout(r, periodMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { rounds, slowestMs };
    },
  };
}
