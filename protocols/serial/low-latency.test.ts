import { requestLowLatency, type LowLatencyPort } from './low-latency';

/**
 * The decision logic against ports that behave as the Linux binding does (bindings-cpp 13.0.0): `set` rejects when
 * an ioctl it checks fails, resolves when only the low-latency ioctl fails, and `get` says whether the flag is set.
 * A real pty refusing it is tested in test/interop/serial-low-latency-pty.test.ts; an FTDI adapter needs a lab.
 */
function port(behaviour: { setFails?: string; takes: boolean }): LowLatencyPort & { sets: unknown[] } {
  let flag = false;
  const sets: unknown[] = [];
  return {
    sets,
    set(options) {
      sets.push(options);
      if (behaviour.setFails) return Promise.reject(new Error(behaviour.setFails));
      if (behaviour.takes) flag = options.lowLatency;
      return Promise.resolve();
    },
    get: () => Promise.resolve({ lowLatency: flag }),
  };
}

describe('requestLowLatency', () => {
  it('sets the flag with DTR and RTS asserted (as the tty layer leaves them after open) and reports on when it took', async () => {
    const p = port({ takes: true });
    expect(await requestLowLatency(p, true, 'linux')).toEqual({ state: 'on' });
    expect(p.sets).toEqual([{ brk: false, cts: false, dsr: false, dtr: true, rts: true, lowLatency: true }]);
  });

  it('a driver that silently ignores it: refused, read back with get', async () => {
    const r = await requestLowLatency(port({ takes: false }), true, 'linux');
    expect(r).toEqual({ state: 'refused', note: expect.stringMatching(/^low-latency mode not set \(the driver did not take ASYNC_LOW_LATENCY\): .*16 ms on FTDI/) });
  });

  it('a port whose set fails (a pty: ENOTTY): refused with the reason, never thrown', async () => {
    const r = await requestLowLatency(port({ setFails: 'Error: Inappropriate ioctl for device, cannot set', takes: false }), true, 'linux');
    expect(r.state).toBe('refused');
    expect(r.state === 'refused' && r.note).toMatch(/^low-latency mode not set \(Error: Inappropriate ioctl for device, cannot set\)/);
  });

  it('not asked when turned off or off Linux: the port is not touched', async () => {
    const off = port({ takes: true });
    expect(await requestLowLatency(off, false, 'linux')).toEqual({ state: 'not-asked' });
    const mac = port({ takes: true });
    expect(await requestLowLatency(mac, true, 'darwin')).toEqual({ state: 'not-asked' });
    expect([...off.sets, ...mac.sets]).toEqual([]);
  });
});
