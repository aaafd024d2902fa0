/**
 * A native Nissan Leaf pack in real time over socketcand, read by an independent implementation: python-can 4.1
 * (socketcand interface) as the vehicle, with its own ISO-TP reassembly and Leaf decoding written from the cited
 * controller sources (test/interop/py/leaf_vehicle_peer.py). Debian has no python3-can-isotp / python3-udsoncan
 * (apt-cache policy finds neither), so the ISO 15765-2 side of the peer is written in the script.
 */
import { join } from 'node:path';
import { createBmsDevice } from '../../emulators/bms/factory';
import { attachNissanLeaf } from '../../emulators/bms/profiles/nissan-leaf';
import { silencePeer, useNativeVehiclePeerRig } from '../support/native-vehicle-peer';
import { describeWithPeers } from '../support/peers';

const SCRIPT = join(__dirname, 'py', 'leaf_vehicle_peer.py');

describeWithPeers(['python3-can'], 'native Leaf pack over socketcand: python-can as the vehicle, its own ISO-TP and decoder', () => {
  const rig = useNativeVehiclePeerRig();

  it('permits its relays to the keep-alive, answers the group polls with every cell, and drops the relays 2 s after the vehicle goes silent', async () => {
    const bms = createBmsDevice({ name: 'leaf', pack: 'nissan-leaf-24kwh', protocol: 'nissan-leaf', params: { seed: 8, soc: 55 } });
    const dev = bms.device;
    const leaf = attachNissanLeaf(dev, rig.server.attach('ev'), { generation: 'aze0' });
    rig.onTeardown(() => leaf.detach());
    // The plant in real time (the profile's own cycles run on the bus's clock).
    rig.runPlant(bms);
    const py = rig.startPeer(SCRIPT, 'ev', [], 30_000);
    await py.next('ready');
    const relays = await py.next('relays');
    expect(relays.on).toBe(true);
    expect(dev.contactorClosed()).toBe(true);

    const cellsNow = Array.from(dev.measuredCellVoltages());
    const g2 = await py.next('group');
    expect(g2.group).toBe(2);
    const cells = g2.cells as number[];
    if (!cells) throw new Error(`no group 2 answer reached python: ${JSON.stringify(g2)}; our side: ${JSON.stringify(leaf.diag)}`);
    expect(cells).toHaveLength(96);
    // At rest the cells move by far less than a millivolt between the answer and this read.
    for (let i = 0; i < 96; i++) expect(Math.abs(cells[i]! - cellsNow[i]!)).toBeLessThanOrEqual(0.0015);
    expect(Math.abs((g2.pack_voltage as number) - dev.snapshot().packVoltage)).toBeLessThanOrEqual(0.05);
    const g1 = await py.next('group');
    expect(g1).toMatchObject({ group: 1, length: 41, insulation_kohm: Math.min(0xffff, dev.snapshot().insulationKOhm) });
    expect(Math.abs((g1.capacity_ah as number) - dev.snapshot().fullChargeAh)).toBeLessThan(0.01);
    const g4 = await py.next('group');
    expect(g4.thermistor_c as number[]).toHaveLength(3);
    for (const t of g4.thermistor_c as number[]) expect(Math.abs(t - dev.snapshot().tempAvg)).toBeLessThan(1);
    const b = await py.next('broadcast');
    expect(b.crc_errors).toBe(0);
    expect(Math.abs((b.voltage as number) - dev.snapshot().packVoltage)).toBeLessThanOrEqual(0.5);
    expect(Math.abs((b.soc as number) - dev.snapshot().soc * 100)).toBeLessThanOrEqual(0.2);
    expect(b.main_relay_on).toBe(true);

    const afterS = await silencePeer(py, 'relays-off', 'off');
    // Contract: 2 s keep-alive timeout; the margin covers a busy 2-core box (python's last frame, our 10 ms tick).
    expect(afterS).toBeGreaterThanOrEqual(1.9);
    expect(afterS).toBeLessThan(4);
    expect(dev.contactorClosed()).toBe(false);
    await py.next('done');
  }, 60_000);
});
