/**
 * The reference controller's SunSpec driver (examples/controllers/reference/sunspec-link.ts) drives the Fronius
 * GEN24 map (data/inverters/fronius-gen24.yaml) unchanged: discovery walks Fronius' chain (model 1 of length 65,
 * 160 before 124), and its 124/123 intents act on the model as on the plain SunSpec emulator.
 */
import { SunSpecLink } from '../../examples/controllers/reference/sunspec-link';
import { rig } from '../vendor-maps/rig';

describe('reference controller SunSpec driver on the Fronius GEN24 map', () => {
  it('discovers the chain and identity; charge cap, forced discharge, idle and the feed-in limit act on the model', async () => {
    const r = rig('fronius-gen24', { irradiance: 900, batteryMaxW: 4000 });
    const link = new SunSpecLink(r.master(), 1, false);
    await link.discover();
    expect(link.modelIds).toEqual([1, 103, 120, 121, 122, 123, 160, 124]);
    expect(link.identity).toContain('Fronius');
    expect(link.identity).toContain(r.inv.identity.serial);
    expect(link.maxChaRte).toBe(4000);
    const t = await link.readTelemetry(0);
    expect(t.w).toBeCloseTo(r.inv.state.acW, -1);

    await link.writeStorageMode(3); // both limits in force, as the controller does before its rates
    await link.writeRates(25, 0); // charge up to 1000 W from PV, no discharge
    r.run(5);
    expect(r.inv.state.batteryW).toBeGreaterThan(900);
    expect(r.inv.state.batteryW).toBeLessThanOrEqual(1000 + 1e-6);

    await link.writeRates(0, 50); // discharge 2000 W
    r.run(10);
    expect(r.inv.state.batteryW).toBeCloseTo(-2000, -1);

    await link.writeRates(0, 0); // idle
    r.run(10);
    expect(Math.abs(r.inv.state.batteryW)).toBeLessThan(1);

    await link.writeLimit(20);
    r.run(5);
    expect(r.inv.state.acW).toBeLessThanOrEqual(2000 + 1);
  });
});
