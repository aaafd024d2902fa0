import { BmsFlag, flagNames } from '../logic/flags';
import { listPackFixtures, loadPackFixture } from '../pack/fixtures';
import { BmsDevice } from './bms-device';

/**
 * Every bundled profile, driven by an inverter that asks for the maximum and obeys the BMS limits ('clamp'),
 * goes from nearly empty to full and back without a protection trip: the derating curves and voltage setpoints
 * of each profile are consistent with its alarm levels.
 */
describe.each(listPackFixtures())('profile %s: full cycle under a limit-respecting inverter', (id) => {
  it('charges to the top and discharges to the bottom without an alarm', () => {
    const profile = loadPackFixture(id);
    const dev = new BmsDevice(profile, { seed: 3, initialSoc: 0.1, currentPolicy: 'clamp' });
    let alarms = 0;
    const drive = (amps: number, seconds: number): void => {
      dev.setCurrent(amps);
      for (let t = 0; t < seconds; t++) {
        dev.heartbeat();
        dev.step(1);
        alarms |= dev.snapshot().alarms;
      }
    };
    drive(1e6, 6 * 3600);
    const top = dev.snapshot();
    expect(flagNames(alarms)).toEqual([]);
    expect(top.soc).toBeGreaterThan(0.85); // the i3 profile stops at 4.05 V, about 88 % of its OCV table
    expect(top.cellVMax).toBeLessThan(profile.bms.cellVoltageHigh.alarm);
    expect(dev.snapshot().energyInWh).toBeGreaterThan(0);
    drive(-1e6, 6 * 3600);
    const bottom = dev.snapshot();
    expect(flagNames(alarms)).toEqual([]);
    expect(bottom.soc).toBeLessThan(0.1);
    expect(bottom.cellVMin).toBeGreaterThan(profile.bms.cellVoltageLow.alarm);
    expect(bottom.contactor).toBe('closed');
    expect(alarms & BmsFlag.CellUnderVoltage).toBe(0);
  });
});
