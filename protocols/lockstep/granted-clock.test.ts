import { GrantedClock } from './granted-clock';

describe('GrantedClock', () => {
  it('moves only when granted, and fires timers only when told, in (due time, creation order)', async () => {
    const errors: unknown[] = [];
    const c = new GrantedClock(1000, (e) => errors.push(e));
    const fired: string[] = [];
    c.setTimer(1200, () => fired.push(`b@${c.now()}`));
    c.setTimer(1100, () => fired.push(`a@${c.now()}`));
    c.setTimer(1200, () => fired.push(`c@${c.now()}`));
    expect(c.nextDue()).toBe(1100);
    c.grant(1200);
    expect(c.now()).toBe(1200);
    expect(fired).toEqual([]); // bytes sent at 1200 are handled before the timers
    expect(await c.runDue(async () => undefined)).toBe(3);
    expect(fired).toEqual(['a@1200', 'b@1200', 'c@1200']);
    expect(c.pending).toBe(0);
    expect(errors).toEqual([]);
  });

  it('runs timers set for the granted instant by earlier ones; never goes back; a throwing timer does not stop the rest', async () => {
    const errors: unknown[] = [];
    const c = new GrantedClock(0, (e) => errors.push(e));
    const fired: string[] = [];
    c.setTimeout(() => {
      fired.push('first');
      c.setTimeout(() => fired.push('same instant'), 0);
      c.setTimeout(() => fired.push('later'), 5);
      throw new Error('boom');
    }, 10);
    c.grant(10);
    await c.runDue(async () => undefined);
    expect(fired).toEqual(['first', 'same instant']);
    expect((errors[0] as Error).message).toBe('boom');
    expect(c.nextDue()).toBe(15);
    c.grant(5); // an older grant is ignored
    expect(c.now()).toBe(10);
    const h = c.setTimeout(() => fired.push('cleared'), 1);
    c.clearTimer(h);
    c.grant(20);
    await c.runDue(async () => undefined);
    expect(fired).toEqual(['first', 'same instant', 'later']);
  });
});
