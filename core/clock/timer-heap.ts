/** A timer entry ordered by due time, then by creation order. */
export interface HeapTimer {
  at: number;
  seq: number;
  handle: number;
  fn: () => void;
}

/** Binary min-heap of timers by (at, seq). Cleared timers are dropped lazily by the owner. */
export class TimerHeap {
  private readonly h: HeapTimer[] = [];

  get size(): number {
    return this.h.length;
  }

  peek(): HeapTimer | undefined {
    return this.h[0];
  }

  push(t: HeapTimer): void {
    const h = this.h;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i]!, h[p]!)) break;
      const tmp = h[i]!;
      h[i] = h[p]!;
      h[p] = tmp;
      i = p;
    }
  }

  pop(): HeapTimer | undefined {
    const h = this.h;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l]!, h[m]!)) m = l;
        if (r < h.length && less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        const tmp = h[i]!;
        h[i] = h[m]!;
        h[m] = tmp;
        i = m;
      }
    }
    return top;
  }
}

function less(a: HeapTimer, b: HeapTimer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
