import { LivenessWatch } from './liveness';

describe('LivenessWatch', () => {
  it('reports a silence longer than the timeout, counted from the last change of activity', () => {
    let activity = 0;
    const w = new LivenessWatch(2000, () => activity);
    expect(w.check(0)).toBeUndefined();
    expect(w.check(2000)).toBeUndefined(); // exactly the timeout: still alive
    activity++;
    expect(w.check(2500)).toBeUndefined();
    expect(w.check(4500)).toBeUndefined();
    expect(w.check(4600)).toBe(
      'the controller is hung: no sign of life for 2.1s (no CAN frame, no Modbus request, no output since t=2.500s; dut.livenessTimeout is 2s)',
    );
    expect(w.check(4700)).toMatch(/no sign of life for 2\.2s/);
  });

  it('any change counts as life (the count is a sum of counters), and 0 disables the watch', () => {
    let activity = 10;
    const w = new LivenessWatch(1000, () => activity);
    for (let t = 0; t <= 10_000; t += 500) {
      activity += 1;
      expect(w.check(t)).toBeUndefined();
    }
    const off = new LivenessWatch(0, () => 0);
    expect(off.check(0)).toBeUndefined();
    expect(off.check(1e9)).toBeUndefined();
  });
});
