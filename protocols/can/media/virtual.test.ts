import { VirtualClock } from '../../../core/clock';
import { ClosedError } from '../../../core/errors';
import { makeFrame } from '../frame';
import { openBus } from '../registry';
import { openVirtualChannels } from './virtual';

describe('virtual medium basics', () => {
  it('delivers copies to other buses on the channel, not to itself by default', async () => {
    const clock = new VirtualClock();
    const a = await openBus('virtual:t1', { clock });
    const b = await openBus('virtual:t1', { clock });
    const frame = makeFrame(0x123, [1, 2, 3]);
    await a.send(frame);
    frame.data[0] = 99;
    const got = await b.recv(0);
    expect(got?.data).toEqual(Uint8Array.from([1, 2, 3]));
    expect(await a.recv(0)).toBeNull();
    await a.close();
    await b.close();
    await expect(a.send(frame)).rejects.toBeInstanceOf(ClosedError);
    expect(openVirtualChannels()).not.toContain('t1');
  });

  it('periodic sends keep their schedule on the virtual clock and stop on close', async () => {
    const clock = new VirtualClock();
    const tx = await openBus('virtual:t2', { clock });
    const rx = await openBus('virtual:t2', { clock });
    const stamps: number[] = [];
    rx.onFrame((f) => stamps.push(f.timestamp!));
    const task = tx.sendPeriodic(makeFrame(0x351, [0]), 100);
    clock.advance(350);
    expect(stamps).toEqual([0, 100, 200, 300]);
    task.update([7]);
    clock.advance(100);
    expect((await rx.recv(0))?.data[0]).toBe(0);
    await tx.close();
    expect(task.running).toBe(false);
    clock.advance(1000);
    expect(stamps).toHaveLength(5);
    await rx.close();
  });
});

describe('receive queue', () => {
  it('stays bounded when nobody reads, counting overflow, and keeps the newest frames', async () => {
    const clock = new VirtualClock();
    const tx = await openBus('virtual:q1', { clock });
    const rx = await openBus('virtual:q1', { clock, rxQueueLimit: 2000 });
    for (let i = 0; i < 10_000; i++) await tx.send(makeFrame(0x100, [i & 0xff, i >> 8]));
    expect(rx.stats.rxOverflow).toBe(8000);
    const first = await rx.recv(0);
    expect(first!.data[0]! | (first!.data[1]! << 8)).toBe(8000);
    await tx.close();
    await rx.close();
  });

  it('rxQueueLimit 0: listeners only, nothing queued', async () => {
    const clock = new VirtualClock();
    const tx = await openBus('virtual:q2', { clock });
    const rx = await openBus('virtual:q2', { clock, rxQueueLimit: 0 });
    let heard = 0;
    rx.onFrame(() => heard++);
    for (let i = 0; i < 100; i++) await tx.send(makeFrame(0x100, [i]));
    expect(heard).toBe(100);
    expect(await rx.recv(0)).toBeNull();
    await tx.close();
    await rx.close();
  });
});
