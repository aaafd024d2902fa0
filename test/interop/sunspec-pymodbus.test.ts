/**
 * pymodbus 3.0 (Debian python3-pymodbus, synchronous ModbusTcpClient) as a SunSpec client of the inverter emulator
 * on our Modbus TCP server. The client discovers `SunS` the way real clients do (40000, then 0, then 50000; the
 * emulator sits at 50000 here so the first two probes fail), walks the chain to 0xFFFF, reads and scales W with
 * W_SF, writes a power limit (123 WMaxLimPct scaled by WMaxLimPct_SF, then WMaxLim_Ena) and reads W again after the
 * test advanced the model. The client is driven line by line over stdin/stdout (each answer is awaited as an event).
 */
import { constant } from '../../emulators/inverter/irradiance';
import { Inverter } from '../../emulators/inverter/inverter';
import { createInverterSunSpec } from '../../emulators/inverter/sunspec-map';
import { describeWithPeers } from '../support/peers';
import { PYMODBUS_TCP_PREAMBLE } from '../support/pymodbus-tcp-preamble';
import { usePymodbusTcpPeer } from '../support/pymodbus-tcp-peer';

const SCRIPT = `${PYMODBUS_TCP_PREAMBLE}models = {}
probes = []
for line in sys.stdin:
    cmd = json.loads(line)
    op = cmd["op"]
    if op == "discover":
        base = None
        for b in (40000, 0, 50000):
            r = rh(b, 2)
            probes.append([b, r is not None])
            if r == [0x5375, 0x6E53]:
                base = b
                break
        chain = []
        a = base + 2
        while True:
            mid, ln = rh(a, 2)
            if mid == 0xFFFF:
                chain.append([mid, ln])
                break
            chain.append([mid, ln])
            models[mid] = a
            a += 2 + ln
        out = {"base": base, "probes": probes, "chain": chain}
    elif op == "power":
        r = rh(models[101], 18)  # 101: W at offset 14, W_SF at 15, Hz 16, Hz_SF 17
        out = {"W": s16(r[14]) * 10 ** s16(r[15]), "Hz": r[16] * 10 ** s16(r[17]), "St": rh(models[101] + 38, 1)[0]}
    elif op == "limit":
        a = models[123]
        sf = s16(rh(a + 23, 1)[0])  # WMaxLimPct_SF
        raw = int(round(cmd["pct"] / 10 ** sf))
        w1 = c.write_registers(a + 5, [raw], slave=1)   # WMaxLimPct
        w2 = c.write_register(a + 9, 1, slave=1)        # WMaxLim_Ena
        out = {"ok": not w1.isError() and not w2.isError(), "raw": raw, "sf": sf}
    elif op == "bad":
        w = c.write_registers(models[123] + 5, [65000], slave=1)
        out = {"error": w.isError(), "code": getattr(w, "exception_code", None)}
    print(json.dumps(out), flush=True)
c.close()
`;

describeWithPeers(['python3-pymodbus', 'python3-serial'], 'SunSpec interop: pymodbus discovers the inverter, reads and limits power', () => {
  const inv = new Inverter({ profile: constant(850), seed: 11 });
  const step = (s: number) => {
    for (let i = 0; i < Math.round(s / 0.1); i++) inv.step(0.1);
  };

  const peer = usePymodbusTcpPeer(SCRIPT, () => {
    step(60);
    return createInverterSunSpec(inv, { base: 50000 }).device;
  });

  it('finds SunS after probing 40000 and 0, and walks the chain to 0xFFFF', async () => {
    const r = await peer.ask({ op: 'discover' });
    expect(r.base).toBe(50000);
    expect(r.probes).toEqual([
      [40000, false],
      [0, false],
      [50000, true],
    ]);
    const chain = r.chain as number[][];
    expect(chain.map((m) => m[0])).toEqual([1, 101, 120, 121, 122, 123, 160, 701, 702, 704, 0xffff]);
    expect(chain[0]).toEqual([1, 66]);
    expect(chain[chain.length - 1]).toEqual([0xffff, 0]);
  });

  it('reads W scaled by W_SF, writes a 30 % limit, and sees AC power follow once the model advances', async () => {
    const before = await peer.ask({ op: 'power' });
    expect(before.W).toBeCloseTo(inv.state.acW, -1);
    expect(before.W as number).toBeGreaterThan(4000);
    expect(before.Hz).toBeCloseTo(50, 6);
    const w = await peer.ask({ op: 'limit', pct: 30 });
    expect(w).toEqual({ ok: true, raw: 3000, sf: -2 });
    expect(inv.controls.limitEnabled).toBe(true);
    expect(inv.controls.limitPct).toBe(30);
    step(2);
    const after = await peer.ask({ op: 'power' });
    expect(after.W as number).toBeLessThanOrEqual(1500);
    expect(after.W as number).toBeGreaterThan(1400);
    expect(after.St).toBe(5); // THROTTLED
  });

  it('gets exception 3 (illegal data value) for a limit above 100 %', async () => {
    expect(await peer.ask({ op: 'bad' })).toEqual({ error: true, code: 3 });
  });
});
