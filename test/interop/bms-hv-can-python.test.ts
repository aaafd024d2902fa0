/**
 * The Pylon HV profile across processes: python-can 4.1 (socketcand interface) on our hub plays the inverter and
 * polls 0x4200; the emulator, attached to the hub in-process, answers; python3-canmatrix decodes the answers with
 * data/dbc/pylon-hv.dbc. Also with the id offset (+1) some inverters need. The python side is
 * test/interop/py/bms_hv_peer.py; we wait on its JSON lines.
 */
import { join } from 'node:path';
import { createBmsDevice } from '../../emulators/bms/factory';
import { describeWithPeers } from '../support/peers';
import { useSocketcandPeerRig } from '../support/socketcand-peer-rig';

const SCRIPT = join(__dirname, 'py', 'bms_hv_peer.py');
const DBC = join(__dirname, '../../data/dbc/pylon-hv.dbc');

type Answers = { type: number; requests: number; frames: Record<string, { data: string; signals: Record<string, number> }>; missing: number[] };

describeWithPeers(['python3-can', 'python3-canmatrix'], 'BMS Pylon HV interop: python-can polls 0x4200 on our socketcand hub, canmatrix decodes', () => {
  const rig = useSocketcandPeerRig();

  it.each([0, 1])('answers ensemble and system requests (id offset %i)', async (offset) => {
    const bms = createBmsDevice({ name: 'hv', pack: 'bmw-i3-60ah', protocol: 'pylon-hv', params: { seed: 8, soc: 55, idOffset: offset as 0 | 1 } });
    for (let i = 0; i < 5; i++) bms.step(1);
    bms.setInput('current', 40);
    bms.step(1);
    rig.onTeardown(bms.attachCan(rig.server.attach('hvbus')));
    const py = rig.startPeer(SCRIPT, 'hvbus', ['--dbc', DBC, '--offset', String(offset)]);
    await py.next('ready');
    const ensemble = (await py.next('answers')) as unknown as Answers;
    const system = (await py.next('answers')) as unknown as Answers;
    await py.next('done');
    expect([ensemble.missing, system.missing]).toEqual([[], []]);
    expect(Object.keys(ensemble.frames).map(Number).sort()).toEqual([0x4210, 0x4220, 0x4230, 0x4240, 0x4250, 0x4260, 0x4270, 0x4280, 0x4290].map((id) => id + offset));
    const s = bms.device.snapshot();
    const sig = (id: number): Record<string, number> => ensemble.frames[String(id + offset)]!.signals;
    expect(Math.abs(sig(0x4210).Voltage! - s.packVoltage)).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(Math.abs(sig(0x4210).Current! - s.current)).toBeLessThanOrEqual(0.05 + 1e-6);
    expect(sig(0x4210).Current!).toBeCloseTo(40, 0);
    expect(sig(0x4210).SOC).toBe(Math.round(s.soc * 100));
    expect(Math.abs(sig(0x4220).MaxChargeCurrent! - s.chargeCurrentLimit)).toBeLessThanOrEqual(0.05 + 1e-6);
    // Discharge limit counted negative on the wire (30000 - I x 10); the DBC's factor -0.1 gives it back positive.
    expect(Math.abs(sig(0x4220).MaxDischargeCurrent! - s.dischargeCurrentLimit)).toBeLessThanOrEqual(0.05 + 1e-6);
    expect(sig(0x4230).MaxCellVoltage!).toBeCloseTo(s.cellVMax, 3);
    expect(sig(0x4250).BasicStatus).toBe(1); // charging
    expect(sig(0x4280)).toMatchObject({ ChargeForbidden: 0, DischargeForbidden: 0 });
    const sys = (id: number): Record<string, number> => system.frames[String(id + offset)]!.signals;
    expect(sys(0x7320)).toMatchObject({ TotalSeriesCells: 96, ModulesInSeries: 8, CellsPerModule: 12 });
    expect(String.fromCharCode(...[0, 1, 2, 3, 4].map((i) => sys(0x7330)[`Manufacturer1Char${i}`]!))).toBe('PYLON');
    // Every request python made was heard and answered (python-can may have lost an answer and asked again).
    expect(bms.signal('requestsAnswered')).toBe(ensemble.requests + system.requests);
    expect(bms.signal('malformedIgnored')).toBe(0);
  });
});
