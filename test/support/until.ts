/**
 * Resolves once `cond()` holds, checked after each event-loop turn: for what I/O already under way will bring about
 * (a server seeing a close). Rejects naming `what` after `boundMs` of wall time: a failure bound, not a wait.
 */
export async function until(cond: () => boolean, what: string, boundMs = 20_000): Promise<void> {
  const deadline = performance.now() + boundMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`not within ${boundMs} ms: ${what}`);
    await new Promise<void>((r) => setImmediate(r));
  }
}
