/**
 * mbpoll (libmodbus) as a SunSpec client of the inverter emulator on our Modbus TCP server, using mbpoll's default
 * 1-based references as a technician would (wire address 40000 = reference 40001). Discovery probes 40001, 1 and
 * 50001 in turn; the chain is walked one mbpoll run per model header; then a power limit is written (WMaxLimPct,
 * WMaxLim_Ena) and W read again after the test advanced the model.
 */
import { constant } from '../../emulators/inverter/irradiance';
import { Inverter } from '../../emulators/inverter/inverter';
import { createInverterSunSpec } from '../../emulators/inverter/sunspec-map';
import { ModbusTcpServer } from '../../protocols/modbus/tcp/tcp-server';
import { mbpoll, mbpollValues as values } from '../support/mbpoll';
import { describeWithPeers } from '../support/peers';




const s16 = (v: number) => (v >= 0x8000 ? v - 0x10000 : v);

describeWithPeers(['mbpoll'], 'SunSpec interop: mbpoll discovers the inverter, reads and limits power', () => {
  let server: ModbusTcpServer | undefined;
  let port = 0;
  const inv = new Inverter({ profile: constant(850), seed: 12, phases: 'three', ratedW: 10000, strings: [{ modules: 16 }, { modules: 16 }] });
  const step = (s: number) => {
    for (let i = 0; i < Math.round(s / 0.1); i++) inv.step(0.1);
  };
  const read = async (ref: number, count: number): Promise<number[] | undefined> => {
    const r = await mbpoll(['-m', 'tcp', '-p', String(port), '-a', '1', '-t', '4', '-r', String(ref), '-c', String(count), '-1', '-o', '5', '127.0.0.1']);
    return r.code === 0 ? values(r.out) : undefined;
  };
  const write = async (ref: number, vals: number[]): Promise<{ code: number | null; out: string }> =>
    mbpoll(['-m', 'tcp', '-p', String(port), '-a', '1', '-t', '4', '-r', String(ref), '-1', '-o', '5', '127.0.0.1', ...vals.map(String)]);

  beforeAll(async () => {
    step(60);
    server = new ModbusTcpServer();
    server.core.addUnit(1, createInverterSunSpec(inv, { base: 0 }).device);
    port = (await server.listen()).port;
  });

  afterAll(async () => {
    await server?.close();
  });

  it('finds SunS at reference 1 after 40001 fails, walks the chain, limits power and sees W follow', async () => {
    // Discovery as clients do it: 40000 first (nothing there: exception), then 0.
    expect(await read(40001, 2)).toBeUndefined();
    const marker = await read(1, 2);
    expect(marker).toEqual([0x5375, 0x6e53]);
    const chain: Array<{ id: number; ref: number; len: number }> = [];
    let ref = 3;
    for (let i = 0; i < 20; i++) {
      const [id, len] = (await read(ref, 2))!;
      if (id === 0xffff) {
        expect(len).toBe(0);
        break;
      }
      chain.push({ id: id!, ref, len: len! });
      ref += 2 + len!;
    }
    expect(chain.map((m) => m.id)).toEqual([1, 103, 120, 121, 122, 123, 160, 701, 702, 704]);
    const m103 = chain.find((m) => m.id === 103)!;
    const m123 = chain.find((m) => m.id === 123)!;

    const power = async () => {
      const r = (await read(m103.ref, 18))!; // ID, L, ... W at offset 14, W_SF 15
      return s16(r[14]!) * 10 ** s16(r[15]!);
    };
    const before = await power();
    expect(before).toBeGreaterThan(8000);
    expect(before).toBeCloseTo(inv.state.acW, -1);

    const sf = s16((await read(m123.ref + 23, 1))![0]!); // WMaxLimPct_SF
    expect(sf).toBe(-2);
    expect((await write(m123.ref + 5, [Math.round(40 / 10 ** sf)])).code).toBe(0); // WMaxLimPct = 40 %
    expect((await write(m123.ref + 9, [1])).code).toBe(0); // WMaxLim_Ena = ENABLED
    step(2);
    const after = await power();
    expect(after).toBeLessThanOrEqual(4000);
    expect(after).toBeGreaterThan(3900);
  });

  it('is refused writing a read-only point (exception 2)', async () => {
    const r = await write(1 + 2 + 2 + 66 + 14, [5]); // 103.W
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/Illegal data address/i);
  });
});
