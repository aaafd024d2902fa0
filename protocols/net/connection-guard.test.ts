import { VirtualClock } from '../../core/clock';
import { ConnectionGuard, checkLimits, type GuardReason } from './connection-guard';

function setup(maxConnections: number, idleTimeoutMs: number, whenFull: 'evict-idle' | 'refuse' = 'evict-idle', eligible?: (c: string) => boolean) {
  const clock = new VirtualClock();
  const closed: Array<[string, GuardReason, number]> = [];
  const guard = new ConnectionGuard<string>(clock, { maxConnections, idleTimeoutMs, whenFull }, (c, why, idle) => closed.push([c, why, idle]), eligible);
  return { clock, closed, guard };
}

describe('ConnectionGuard', () => {
  it('at the cap closes the longest-idle connection that never proved itself, before any established one', () => {
    const { clock, closed, guard } = setup(3, 0);
    guard.admit('controller');
    guard.touch('controller', true);
    clock.advance(100);
    guard.admit('idle1');
    clock.advance(100);
    guard.admit('idle2');
    clock.advance(100);
    expect(guard.admit('idle3')).toBe(true);
    expect(closed).toEqual([['idle1', 'evicted', 200]]);
    expect(guard.admit('idle4')).toBe(true);
    expect(closed.map((c) => c[0])).toEqual(['idle1', 'idle2']);
    // The controller has been idle longest of all, but it is established: the unproven go first.
    expect(guard.size).toBe(3);
    expect(guard.stats).toMatchObject({ evicted: 2, peak: 3, refused: 0 });
  });

  it('evicts the longest-idle established connection when all are established', () => {
    const { clock, closed, guard } = setup(2, 0);
    guard.admit('a');
    guard.admit('b');
    guard.touch('a', true);
    guard.touch('b', true);
    clock.advance(10);
    guard.touch('a');
    guard.admit('c');
    expect(closed.map((c) => c[0])).toEqual(['b']);
  });

  it("with whenFull 'refuse' refuses the newcomer and keeps the others", () => {
    const { closed, guard } = setup(1, 0, 'refuse');
    expect(guard.admit('a')).toBe(true);
    expect(guard.admit('b')).toBe(false);
    expect(closed).toEqual([]);
    expect(guard.stats.refused).toBe(1);
  });

  it('closes connections idle for the timeout with one timer, keeps the active ones, and stops when none is left', () => {
    const { clock, closed, guard } = setup(Infinity, 1000);
    guard.admit('active');
    guard.admit('idle');
    expect(clock.pending).toBe(1);
    for (let t = 0; t < 5; t++) {
      clock.advance(400);
      guard.touch('active');
    }
    expect(closed).toEqual([['idle', 'idle', 1000]]);
    expect(guard.size).toBe(1);
    clock.advance(1000);
    expect(closed.map((c) => c[0])).toEqual(['idle', 'active']);
    expect(clock.pending).toBe(0);
    expect(guard.stats.idleClosed).toBe(2);
  });

  it('applies the timeout only to eligible connections, and looks again at the others later', () => {
    let onBus = true;
    const { clock, closed, guard } = setup(Infinity, 1000, 'evict-idle', () => !onBus);
    guard.admit('listener');
    clock.advance(5000);
    expect(closed).toEqual([]);
    onBus = false;
    clock.advance(1000);
    expect(closed.map((c) => c[0])).toEqual(['listener']);
  });

  it('removed connections get no callback; dispose cancels the timer', () => {
    const { clock, closed, guard } = setup(1, 1000);
    guard.admit('a');
    guard.remove('a');
    guard.admit('b');
    guard.dispose();
    expect(clock.pending).toBe(0);
    clock.advance(10_000);
    expect(closed).toEqual([]);
  });

  it('rejects limits that make no sense', () => {
    expect(() => checkLimits({ maxConnections: 0 })).toThrow('maxConnections must be a whole number >= 1');
    expect(() => checkLimits({ maxConnections: 2.5 })).toThrow('maxConnections');
    expect(() => checkLimits({ idleTimeoutMs: -1 })).toThrow('idleTimeoutMs must be >= 0');
    expect(() => checkLimits({ idleTimeoutMs: NaN })).toThrow('idleTimeoutMs');
    expect(() => checkLimits({ whenFull: 'drop' as 'refuse' })).toThrow("whenFull must be 'evict-idle' or 'refuse'");
    expect(() => checkLimits({ maxConnections: Infinity, idleTimeoutMs: 0, whenFull: 'refuse' })).not.toThrow();
  });
});
