/**
 * A native Tesla Model 3/Y pack in real time over socketcand, driven and read by an independent implementation:
 * python-can 4.1 (socketcand interface) as the vehicle, with the 0x221 counter and checksum and the decoding written
 * from the cited controller source (test/interop/py/tesla3_vehicle_peer.py).
 */
import { join } from 'node:path';
import { createBmsDevice } from '../../emulators/bms/factory';
import { expectCellsReadBack, silencePeer, useNativeVehiclePeerRig } from '../support/native-vehicle-peer';
import { describeWithPeers } from '../support/peers';

const SCRIPT = join(__dirname, 'py', 'tesla3_vehicle_peer.py');

describeWithPeers(['python3-can'], 'native Tesla Model 3 pack over socketcand: python-can as the vehicle, its own 0x221 checksum and decoder', () => {
  const rig = useNativeVehiclePeerRig();

  it('closes while python sends DRIVE, reads back every brick, and opens within about 0.5 s after python goes silent', async () => {
    const bms = createBmsDevice({ name: 'm3', pack: 'tesla-model3-lr-78kwh', protocol: 'tesla-model3', params: { seed: 9, soc: 55 } });
    const dev = bms.device;
    const py = await rig.startVehicle(bms, SCRIPT, 'ev', 40_000);
    expect((await py.next('contactors')).on).toBe(true); // the checksum and counter python computed were accepted
    const b = await py.next('broadcast');
    const s = dev.snapshot();
    expect(b.contactor).toBe(4);
    expect(b.state).toBe(1);
    expect(Math.abs((b.voltage as number) - s.packVoltage)).toBeLessThanOrEqual(0.1);
    expect(Math.abs((b.soc as number) - s.soc * 100)).toBeLessThanOrEqual(0.2);
    // whole mV as BE reads them; at rest, seconds apart
    expectCellsReadBack(await py.next('bricks'), dev.measuredCellVoltages(), { count: 96, toleranceV: 0.002, what: 'brick' });
    const afterS = await silencePeer(py, 'contactors-off', 'off');
    // 0.5 s without a DRIVE 0x221, then the next 0x212 (100 ms) shows it: the contract with a margin for a busy box.
    expect(afterS).toBeGreaterThanOrEqual(0.3);
    expect(afterS).toBeLessThan(3.5);
    expect(dev.contactorClosed()).toBe(false);
    await py.next('done');
  }, 60_000);
});
