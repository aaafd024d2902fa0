/**
 * Resolves once `cond()` holds, checked every millisecond: for what I/O already under way will bring about (a
 * server seeing a close) where there is no event to wait on. Rejects naming `what` after `boundMs` of wall time:
 * a failure bound, not a wait. (A `setImmediate` loop would answer sooner but burn a core a busy machine needs.)
 */
export async function until(cond: () => boolean, what: string, boundMs = 20_000): Promise<void> {
  const deadline = performance.now() + boundMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`not within ${boundMs} ms: ${what}`);
    await new Promise<void>((r) => setTimeout(r, 1));
  }
}
