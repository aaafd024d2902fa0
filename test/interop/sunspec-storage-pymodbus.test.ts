/**
 * pymodbus (Debian python3-pymodbus) drives SunSpec 124 storage control over Modbus TCP the way public
 * integrations write it: negative rates as two's complement registers (65536 + rate x 100 with InOutWRte_SF -2,
 * redpomodoro/fronius_modbus froniusmodbusclient.py @ 8a470af7), one register per write in the order evcc's
 * templates use (fixtures/conformance/sunspec-behaviour.yaml has the sources). The test advances the model
 * between requests and checks what the battery does.
 */
import { SimpleBatteryPort } from '../../emulators/inverter/battery-port';
import { constant } from '../../emulators/inverter/irradiance';
import { Inverter } from '../../emulators/inverter/inverter';
import { createInverterSunSpec } from '../../emulators/inverter/sunspec-map';
import { describeWithPeers } from '../support/peers';
import { usePymodbusTcpPeer } from '../support/pymodbus-tcp-peer';
import { PYMODBUS_TCP_PREAMBLE } from '../support/pymodbus-tcp-preamble';

const SCRIPT = `${PYMODBUS_TCP_PREAMBLE}# 124 offsets from the start of the model (after ID and L), as in model_124.json
OFF = {"WChaMax": 0, "StorCtl_Mod": 3, "MinRsvPct": 5, "ChaState": 6, "ChaSt": 9, "OutWRte": 10, "InWRte": 11,
       "InOutWRte_RvrtTms": 13, "ChaGriSet": 15, "InOutWRte_SF": 23}
a = 40002
m124 = None
while True:
    mid, ln = rh(a, 2)
    if mid == 0xFFFF:
        break
    if mid == 124:
        m124 = a + 2
    a += 2 + ln
for line in sys.stdin:
    cmd = json.loads(line)
    if cmd["op"] == "write":
        name, value = cmd["point"], cmd["value"]
        if name in ("OutWRte", "InWRte"):
            sf = s16(rh(m124 + OFF["InOutWRte_SF"], 1)[0])
            raw = int(round(value / 10 ** sf))
            if raw < 0:
                raw = 65536 + raw
        else:
            raw = int(value)
        w = c.write_registers(m124 + OFF[name], [raw], slave=1)
        out = {"error": w.isError(), "code": getattr(w, "exception_code", None), "raw": raw}
    else:
        r = rh(m124, 24)
        sf = s16(r[OFF["InOutWRte_SF"]])
        out = {"StorCtl_Mod": r[OFF["StorCtl_Mod"]], "ChaSt": r[OFF["ChaSt"]],
               "OutWRte": s16(r[OFF["OutWRte"]]) * 10 ** sf, "InWRte": s16(r[OFF["InWRte"]]) * 10 ** sf}
    print(json.dumps(out), flush=True)
c.close()
`;

describeWithPeers(['python3-pymodbus', 'python3-serial'], 'SunSpec 124 interop: pymodbus forces charge and discharge with negative rates', () => {
  const bat = new SimpleBatteryPort({ soc: 50, capacityAh: 100, maxChargeA: 150, maxDischargeA: 150 });
  const inv = new Inverter({ ratedW: 5000, batteryMaxW: 5000, profile: constant(0), battery: bat, seed: 12 });
  const step = (s: number): void => {
    for (let i = 0; i < Math.round(s / 0.1); i++) {
      inv.step(0.1);
      bat.step(0.1);
    }
  };
  const peer = usePymodbusTcpPeer(SCRIPT, () => {
    step(10);
    return createInverterSunSpec(inv).device;
  });
  const write = (point: string, value: number) => peer.ask({ op: 'write', point, value });

  it('charge from the grid: StorCtl_Mod 2, OutWRte -50 % (raw 60536) charges at 2.5 kW at night', async () => {
    expect(await write('StorCtl_Mod', 2)).toMatchObject({ error: false });
    expect(await write('OutWRte', -50)).toEqual({ error: false, code: null, raw: 60536 });
    step(30);
    expect(inv.state.batteryW).toBeGreaterThan(2490);
    expect(inv.state.batteryW).toBeLessThanOrEqual(2500 + 1e-6);
    expect(await peer.ask({ op: 'read' })).toMatchObject({ StorCtl_Mod: 2, ChaSt: 4, OutWRte: -50 });
  });

  it('discharge to the grid: StorCtl_Mod 1, InWRte -9 % gives 450 W out; back to automatic stops it', async () => {
    expect(await write('OutWRte', 100)).toMatchObject({ error: false });
    expect(await write('InWRte', -9)).toEqual({ error: false, code: null, raw: 64636 });
    expect(await write('StorCtl_Mod', 1)).toMatchObject({ error: false });
    step(20);
    expect(inv.state.batteryW).toBeCloseTo(-450, 3);
    expect(inv.state.acW).toBeGreaterThan(400);
    expect(await write('InWRte', 100)).toMatchObject({ error: false });
    expect(await write('StorCtl_Mod', 0)).toMatchObject({ error: false });
    step(5);
    expect(inv.state.batteryW).toBe(0);
  });

  it('refuses -101 % and an unknown mode bit with exception 3 (illegal data value), changing nothing', async () => {
    expect(await write('OutWRte', -101)).toMatchObject({ error: true, code: 3 });
    expect(await write('StorCtl_Mod', 4)).toMatchObject({ error: true, code: 3 });
    expect(await peer.ask({ op: 'read' })).toMatchObject({ StorCtl_Mod: 0, OutWRte: 100 });
  });
});
