/**
 * mbpoll (Debian) as the Modbus/TCP master against our server. mbpoll is 1-based by default: `-0` makes references
 * 0-based wire addresses; `-1` polls once; `-t 4` holding, `-t 3` input registers, `-t 0` coils, `-t 1` discrete
 * inputs; values after the host are written.
 */
import { describeWithPeers } from '../support/peers';
import { run, startFixture, type Fixture } from './modbus-tcp-fixture';

/** `[3]: 	103` lines -> { 3: 103 }. */
function values(stdout: string): Record<number, number> {
  const out: Record<number, number> = {};
  for (const m of stdout.matchAll(/^\[(\d+)\]:\s+(-?\d+)/gm)) out[Number(m[1])] = Number(m[2]);
  return out;
}

describeWithPeers(['mbpoll'], 'Modbus/TCP interop: mbpoll master, our server', () => {
  let fx: Fixture;
  /** Options, then the host, then values to write (none: read). */
  const mbpoll = (args: string[], writes: string[] = []) =>
    run('mbpoll', ['-m', 'tcp', '-p', String(fx.port), '-0', '-o', '5', ...args, '127.0.0.1', ...writes]);

  beforeEach(async () => {
    fx = await startFixture();
  });
  afterEach(async () => {
    await fx.server.close();
  });

  it('reads holding and input registers, coils and discrete inputs', async () => {
    const h = await mbpoll(['-a', '1', '-1', '-t', '4', '-r', '2', '-c', '3']);
    expect(h.code).toBe(0);
    expect(values(h.stdout)).toEqual({ 2: 102, 3: 103, 4: 104 });
    const i = await mbpoll(['-a', '1', '-1', '-t', '3', '-r', '0', '-c', '5']);
    expect(values(i.stdout)).toEqual({ 0: 500, 1: 501, 2: 502, 3: 503, 4: 504 });
    const d = await mbpoll(['-a', '1', '-1', '-t', '1', '-r', '0', '-c', '8']);
    expect(values(d.stdout)).toEqual({ 0: 1, 1: 0, 2: 1, 3: 1, 4: 0, 5: 0, 6: 0, 7: 1 });
    const u2 = await mbpoll(['-a', '2', '-1', '-t', '4', '-r', '0', '-c', '2']);
    expect(values(u2.stdout)).toEqual({ 0: 0xbeef, 1: 2 });
  });

  it('writes registers and coils that the device model sees', async () => {
    const w = await mbpoll(['-a', '1', '-t', '4', '-r', '21'], ['7']);
    expect(w.code).toBe(0);
    expect(fx.unit1.get('holding', 21)).toEqual([7]);
    const many = await mbpoll(['-a', '1', '-t', '4', '-r', '22'], ['11', '12', '13']);
    expect(many.stdout).toContain('Written 3 references');
    expect(fx.unit1.get('holding', 22, 3)).toEqual([11, 12, 13]);
    const coils = await mbpoll(['-a', '1', '-t', '0', '-r', '3'], ['1', '0', '1']);
    expect(coils.code).toBe(0);
    expect(fx.unit1.getBits('coils', 2, 5)).toEqual([false, true, false, true, false]);
    const back = await mbpoll(['-a', '1', '-1', '-t', '0', '-r', '3', '-c', '3']);
    expect(values(back.stdout)).toEqual({ 3: 1, 4: 0, 5: 1 });
  });

  it('gets exceptions for bad addresses, rejected values and unknown units', async () => {
    const gap = await mbpoll(['-a', '1', '-1', '-t', '4', '-r', '28', '-c', '5']);
    expect(gap.code).not.toBe(0);
    expect(gap.stderr).toMatch(/Illegal data address/i);
    const inputGap = await mbpoll(['-a', '1', '-1', '-t', '3', '-r', '5', '-c', '1']);
    expect(inputGap.stderr).toMatch(/Illegal data address/i);
    const tooBig = await mbpoll(['-a', '1', '-t', '4', '-r', '20'], ['5000']);
    expect(tooBig.stderr).toMatch(/Illegal data value/i);
    expect(fx.unit1.get('holding', 20)).toEqual([0]);
    const unknown = await mbpoll(['-a', '9', '-1', '-t', '4', '-r', '0', '-c', '1']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/Target device failed to respond|gateway/i);
    expect(fx.server.core.stats.unknownUnit).toBe(1);
  });
});
