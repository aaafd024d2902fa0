/**
 * A native BMW i3 pack in real time over socketcand, read by an independent implementation: python-can 4.1
 * (socketcand interface) as the vehicle, with its own CRC, ISO-TP extended addressing and decoding written from the
 * cited controller sources (test/interop/py/i3_vehicle_peer.py). Debian has no python3-can-isotp / python3-udsoncan.
 */
import { join } from 'node:path';
import { createBmsDevice } from '../../emulators/bms/factory';
import { expectCellsReadBack, silencePeer, useNativeVehiclePeerRig } from '../support/native-vehicle-peer';
import { describeWithPeers } from '../support/peers';

const SCRIPT = join(__dirname, 'py', 'i3_vehicle_peer.py');

describeWithPeers(['python3-can'], 'native BMW i3 pack over socketcand: python-can as the vehicle, its own ISO-TP (extended addressing) and decoder', () => {
  const rig = useNativeVehiclePeerRig();

  it('closes on 0x10B, answers DIDs and all 96 cells, and opens within about 0.5 s after the vehicle goes silent', async () => {
    const bms = createBmsDevice({ name: 'i3', pack: 'bmw-i3-60ah', protocol: 'bmw-i3', params: { seed: 8, soc: 55 } });
    const dev = bms.device;
    const py = await rig.startVehicle(bms, SCRIPT, 'pt', 40_000);
    expect((await py.next('contactors')).on).toBe(true);
    const d = await py.next('diag');
    const s = dev.snapshot();
    expect(Math.abs((d.soc as number) - s.soc * 100)).toBeLessThanOrEqual(0.2);
    expect(Math.abs((d.voltage as number) - s.packVoltage)).toBeLessThanOrEqual(0.05);
    expect(Math.abs((d.cell_min as number) - s.cellVMin)).toBeLessThanOrEqual(0.0015);
    // 1 mV resolution; at rest
    expectCellsReadBack(await py.next('cells'), dev.measuredCellVoltages(), { count: 96, toleranceV: 0.0015, what: 'cell' });
    const b = await py.next('broadcast');
    expect(Math.abs((b.voltage as number) - dev.snapshot().packVoltage)).toBeLessThanOrEqual(0.1);
    expect(Math.abs((b.display_soc as number) - dev.snapshot().soc * 100)).toBeLessThanOrEqual(0.5);
    const afterS = await silencePeer(py, 'contactors-off', 'off');
    // 0.5 s command timeout, then 0x1FA (once a second) shows it: the contract with a margin for a busy box.
    expect(afterS).toBeGreaterThanOrEqual(0.4);
    expect(afterS).toBeLessThan(3.5);
    expect(dev.contactorClosed()).toBe(false);
    await py.next('done');
  }, 60_000);
});
