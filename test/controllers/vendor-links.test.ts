/**
 * The reference controller's brand drivers (examples/controllers/reference/vendor-links.ts) against the emulator's
 * vendor maps: discovery reads the identity and the battery reference, and the controller's 124-style intents
 * (charge cap, forced discharge, idle, feed-in limit) become the battery and AC powers it means.
 */
import { createVendorLink } from '../../examples/controllers/reference/vendor-links';
import { rig } from '../vendor-maps/rig';

describe.each(['sungrow-sh', 'huawei-sun2000'])('reference controller driver for %s', (map) => {
  it('discovers identity and battery reference; charge cap, forced discharge, idle and the feed-in limit act on the model', async () => {
    const r = rig(map, { irradiance: 900, batteryMaxW: 4000 });
    const link = createVendorLink(map, r.master(), 1, false);
    await link.discover();
    expect(link.identity).toContain(r.inv.identity.serial);
    expect(link.maxChaRte).toBe(4000);
    expect(link.wRtg).toBe(10000);
    const t = await link.readTelemetry(0);
    expect(t.dcW).toBeCloseTo(r.inv.state.dcW, -1);
    expect(t.w).toBeCloseTo(r.inv.state.acW, -1);

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
    await link.writeLimit(100);
    r.run(20);
    expect(r.inv.state.acW).toBeGreaterThan(2500);
  });

  it('with the wrong-scale defect writes scaled registers as if their unit were 1', async () => {
    const r = rig(map, { irradiance: 900, batteryMaxW: 4000 });
    const link = createVendorLink(map, r.master(), 1, true);
    await link.discover();
    await link.writeLimit(20);
    await link.writeRates(25, 0);
    r.run(5);
    // Sungrow: 33046 gets 1000 (= 10 kW) instead of 100: the cap is gone; Huawei: 47418 gets 20 (= 2.0 %).
    if (map === 'sungrow-sh') expect(r.inv.state.batteryW).toBeGreaterThan(1500);
    else expect(r.inv.state.acW).toBeLessThanOrEqual(200 + 1);
  });
});
