/**
 * A native Renault Zoe Gen2 pack in real time over socketcand, woken, polled and read by an independent
 * implementation: python-can 4.1 (socketcand interface) as the vehicle, with 29-bit UDS requests and the decoding
 * written from the cited controller source (test/interop/py/zoe2_vehicle_peer.py).
 */
import { join } from 'node:path';
import { createBmsDevice } from '../../emulators/bms/factory';
import { expectCellsReadBack, silencePeer, useNativeVehiclePeerRig } from '../support/native-vehicle-peer';
import { describeWithPeers } from '../support/peers';

const SCRIPT = join(__dirname, 'py', 'zoe2_vehicle_peer.py');

describeWithPeers(['python3-can'], 'native Renault Zoe Gen2 pack over socketcand: python-can as the vehicle, 29-bit UDS polls and its own decoder', () => {
  const rig = useNativeVehiclePeerRig();

  it('wakes on 0x373, answers the DIDs and all 96 cells over 29-bit ids, and sleeps about 2 s after the wake-up stops', async () => {
    const bms = createBmsDevice({ name: 'z2', pack: 'renault-zoe-52kwh', protocol: 'renault-zoe-gen2', params: { seed: 10, soc: 55 } });
    const dev = bms.device;
    const py = await rig.startVehicle(bms, SCRIPT, 'ev', 50_000);
    const d = await py.next('diag');
    const s = dev.snapshot();
    expect(Math.abs((d.soc as number) - s.soc * 100)).toBeLessThanOrEqual(0.1);
    expect(Math.abs((d.voltage as number) - s.packVoltage)).toBeLessThanOrEqual(0.15);
    expect(Math.abs((d.cell_min as number) - s.cellVMin)).toBeLessThanOrEqual(0.0015);
    // whole mV after a 0.977 mV step; at rest
    expectCellsReadBack(await py.next('cells'), dev.measuredCellVoltages(), { count: 96, toleranceV: 0.002, what: 'cell' });
    const afterS = await silencePeer(py, 'asleep', 'asleep');
    // 2 s without a wake-up: the contract with a margin for a busy box.
    expect(afterS).toBeGreaterThanOrEqual(1.5);
    expect(afterS).toBeLessThan(5);
    await py.next('done');
  }, 70_000);
});
