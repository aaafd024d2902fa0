/**
 * The inverter's SunSpec map on RS-485 (RTU), as installers meet it: mbpoll (libmodbus) as the RTU master on a
 * socat pty pair, 115200 baud 8N1, unit 3. Finds `SunS` at reference 40001 (wire 40000), walks the chain with one
 * read per model header, reads W with W_SF.
 */
import { constant } from '../../emulators/inverter/irradiance';
import { Inverter } from '../../emulators/inverter/inverter';
import { createInverterSunSpec } from '../../emulators/inverter/sunspec-map';
import { mbpoll, mbpollValues as values } from '../support/mbpoll';
import { describeWithPeers } from '../support/peers';
import { useRtuServerOverPty } from '../support/rtu-over-pty';



const s16 = (v: number) => (v >= 0x8000 ? v - 0x10000 : v);

describeWithPeers(['socat', 'mbpoll'], 'SunSpec interop on RTU: mbpoll walks the inverter chain over a pty pair', () => {
  const inv = new Inverter({ profile: constant(700), seed: 31 });
  const line = useRtuServerOverPty(() => {
    for (let i = 0; i < 600; i++) inv.step(0.1);
    return [[3, createInverterSunSpec(inv).device]];
  });

  it('finds SunS, walks to 0xFFFF and reads W scaled', async () => {
    const read = async (ref: number, count: number) => {
      const r = await mbpoll(['-m', 'rtu', '-b', '115200', '-P', 'none', '-a', '3', '-t', '4', '-r', String(ref), '-c', String(count), '-1', '-o', '5', line.masterPath]);
      expect(r.code).toBe(0);
      return values(r.out);
    };
    expect(await read(40001, 2)).toEqual([0x5375, 0x6e53]);
    const ids: number[] = [];
    let ref = 40003;
    let w: number | undefined;
    for (let i = 0; i < 20; i++) {
      const [id, len] = await read(ref, 2);
      if (id === 0xffff) break;
      ids.push(id!);
      if (id === 101) {
        const r = await read(ref, 16);
        w = s16(r[14]!) * 10 ** s16(r[15]!);
      }
      ref += 2 + len!;
    }
    expect(ids).toEqual([1, 101, 120, 121, 122, 123, 160, 701, 702, 704]);
    expect(w).toBe(Math.round(inv.state.acW));
    expect(w!).toBeGreaterThan(3000);
  });
});
