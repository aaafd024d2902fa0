/**
 * pymodbus 3.0 (Debian python3-pymodbus, synchronous ModbusTcpClient) as a SunSpec client of the BMS emulator
 * (protocol 'sunspec-802') on our Modbus TCP server. The python side lays model 802 out by itself from the
 * official JSON in ../shared/sunspec-models (not from our layout code), discovers `SunS`, walks the chain, reads and
 * scales points, and writes the control points a controller writes (SetOp, AlmRst) and bad values. Driven line by
 * line over stdin/stdout; each answer is awaited as an event.
 */
import { existsSync } from 'node:fs';
import { createBmsDevice, type BmsBenchDevice } from '../../emulators/bms/factory';
import { OFFICIAL_MODELS_DIR } from '../sunspec/official-models';
import { describeIf } from '../support/describe-if';
import { describeWithPeers } from '../support/peers';
import { usePymodbusTcpPeer } from '../support/pymodbus-tcp-peer';
import { PYMODBUS_TCP_PREAMBLE } from '../support/pymodbus-tcp-preamble';

const SCRIPT = `${PYMODBUS_TCP_PREAMBLE}import os
models_dir = sys.argv[3]
with open(os.path.join(models_dir, "model_802.json")) as f:
    m802 = json.load(f)["group"]["points"]
layout, off = {}, 0
for p in m802:
    layout[p["name"]] = (off, p)
    off += p["size"]
def value(regs, name):
    o, p = layout[name]
    t = p["type"]
    if t in ("uint32", "bitfield32"):
        return (regs[o] << 16) | regs[o + 1]
    raw = s16(regs[o]) if t in ("int16", "sunssf") else regs[o]
    sf = p.get("sf")
    if isinstance(sf, str):
        raw = raw * 10 ** s16(regs[layout[sf][0]])
    return raw
base = None
chain = []
addr802 = None
for line in sys.stdin:
    cmd = json.loads(line)
    op = cmd["op"]
    if op == "discover":
        for b in (40000, 0, 50000):
            if rh(b, 2) == [0x5375, 0x6E53]:
                base = b
                break
        a = base + 2
        while True:
            mid, ln = rh(a, 2)
            chain.append([mid, ln])
            if mid == 0xFFFF:
                break
            if mid == 802:
                addr802 = a
            a += 2 + ln
        out = {"base": base, "chain": chain, "L802": off - 2}
    elif op == "read":
        regs = rh(addr802, off)
        out = {n: value(regs, n) for n in cmd["points"]}
    elif op == "write":
        o, p = layout[cmd["point"]]
        w = c.write_register(addr802 + o, cmd["value"], slave=1)
        out = {"error": w.isError(), "code": getattr(w, "exception_code", None)}
    print(json.dumps(out), flush=True)
c.close()
`;

const noModels = (_p: unknown, name: string, body: () => void): void =>
  describeIf(false, `the official SunSpec models are not at ${OFFICIAL_MODELS_DIR}`, name, body, { failInCi: true });
const run = existsSync(OFFICIAL_MODELS_DIR) ? describeWithPeers : noModels;

run(['python3-pymodbus', 'python3-serial'], 'BMS SunSpec interop: pymodbus reads and controls model 802', () => {
  let bms: BmsBenchDevice;

  const peer = usePymodbusTcpPeer(
    SCRIPT,
    () => {
      bms = createBmsDevice({ name: 'bat', pack: 'nissan-leaf-24kwh', protocol: 'sunspec-802', params: { seed: 9, soc: 64 } });
      for (let i = 0; i < 5; i++) bms.step(1);
      bms.setInput('current', -30);
      bms.step(1);
      return bms.modbus!;
    },
    [OFFICIAL_MODELS_DIR],
  );

  it('discovers SunS at 40000 and the chain 1, 802, 803, 804 with the official length of 802', async () => {
    const r = await peer.ask({ op: 'discover' });
    expect(r.base).toBe(40000);
    const chain = r.chain as number[][];
    expect(chain.map((m) => m[0])).toEqual([1, 802, 803, 804, 0xffff]);
    expect(chain[1]![1]).toBe(r.L802);
  });

  it('reads SoC, V, A, limits and states scaled like the snapshot', async () => {
    const s = bms.device.snapshot();
    const r = await peer.ask({ op: 'read', points: ['SoC', 'SoH', 'V', 'A', 'AChaMax', 'ADisChaMax', 'CellVMax', 'State', 'ChaSt', 'Typ', 'SetOp', 'Evt1'] });
    expect(r.SoC as number).toBeCloseTo(s.soc * 100, 1);
    expect(r.SoC as number).toBeCloseTo(64, 0);
    expect(r.SoH as number).toBeCloseTo(s.soh * 100, 1);
    expect(r.V as number).toBeCloseTo(s.packVoltage, 1);
    expect(r.A as number).toBeCloseTo(-30, 1);
    expect(r.AChaMax as number).toBeCloseTo(s.chargeCurrentLimit, 1);
    expect(r.ADisChaMax as number).toBeCloseTo(s.dischargeCurrentLimit, 1);
    expect(r.CellVMax as number).toBeCloseTo(s.cellVMax, 3);
    expect(r).toMatchObject({ State: 3, ChaSt: 3, Typ: 4, SetOp: 1, Evt1: 0 });
  });

  it('SetOp DISCONNECT opens the contactors; bad values and read-only points get exceptions 3 and 2', async () => {
    expect(await peer.ask({ op: 'write', point: 'SetOp', value: 2 })).toEqual({ error: false, code: null });
    bms.step(1);
    expect(bms.signal('contactorClosed')).toBe(false);
    expect(await peer.ask({ op: 'read', points: ['State', 'SetOp', 'ChaSt'] })).toEqual({ State: 1, SetOp: 2, ChaSt: 1 });
    expect(await peer.ask({ op: 'write', point: 'SetOp', value: 7 })).toEqual({ error: true, code: 3 });
    expect(await peer.ask({ op: 'write', point: 'SoC', value: 500 })).toEqual({ error: true, code: 2 });
    expect(await peer.ask({ op: 'write', point: 'SetOp', value: 1 })).toEqual({ error: false, code: null });
    for (let i = 0; i < 10; i++) bms.step(1);
    expect(bms.signal('contactorClosed')).toBe(true);
  });

  it('AlmRst clears a latched alarm once its cause is gone', async () => {
    const f = bms.injectFault({ kind: 'internal-fault' });
    bms.step(1);
    expect(((await peer.ask({ op: 'read', points: ['Evt1'] })).Evt1 as number) & (1 << 25)).not.toBe(0);
    f.clear();
    bms.step(1);
    expect(bms.signal('latched.any')).toBe(true);
    expect(await peer.ask({ op: 'write', point: 'AlmRst', value: 1 })).toEqual({ error: false, code: null });
    for (let i = 0; i < 10; i++) bms.step(1);
    expect(bms.signal('latched.any')).toBe(false);
    expect(await peer.ask({ op: 'read', points: ['AlmRst', 'State'] })).toEqual({ AlmRst: 0, State: 3 });
  });
});
