/**
 * Victron GX map (data/inverters/victron-gx.yaml) against what evcc and hass-victron read and write, and ESS
 * mode 3 behaviour as Victron describes it.
 *
 * Transcribed (facts, not code):
 * - [evcc] evcc-io/evcc templates/definition/meter/victron-energy.yaml @ b29b49e3056e: unit 100, input registers
 *   820-822 int16 (grid), 808-813 uint16 and 850 uint16 (pv), 842 int16 scale -1 (battery), 843 uint16 (soc);
 *   writes 2901 (limitsoc, scale 10). Its grid currents (2617/2619/2621 on the grid meter's own unit id) belong to
 *   a separate com.victronenergy.grid device, not served by this map.
 * - [hv] sfstar/hass-victron custom_components/victron/const.py @ 3d3ec1e6cb77: the registers below with their
 *   types and scales; hass-victron polls whole register groups in one request, of which this map serves the
 *   registers listed (vebus 42-95 alarms and counters are not in the map: such a block read answers exception 2).
 */
import { ExceptionCode } from '../../protocols/modbus/device';
import { encode, rig, type IntegrationRead } from './rig';

const r16 = (address: number, encoding: 'uint16' | 'int16', scale: number, what: string): IntegrationRead => ({ table: 'input', address, encoding, count: 1, scale, what });

const EVCC_READS: IntegrationRead[] = [
  r16(820, 'int16', 1, 'grid L1'),
  r16(821, 'int16', 1, 'grid L2'),
  r16(822, 'int16', 1, 'grid L3'),
  ...[808, 809, 810, 811, 812, 813].map((a) => r16(a, 'uint16', 1, 'AC-coupled pv')),
  r16(850, 'uint16', 1, 'DC pv power'),
  r16(842, 'int16', -1, 'battery power (evcc: + discharging)'),
  r16(843, 'uint16', 1, 'soc'),
];

/** [hv] registers on unit 100 (system/settings) and on the vebus unit; hass-victron's scale is a divisor. */
const HV_SYSTEM: Array<[number, IntegrationRead['encoding'], number, string]> = [
  [800, 'string', 6, 'system_serial'],
  [808, 'uint16', 1, 'system_pvonoutput_L1'],
  [817, 'uint16', 1, 'system_consumption_L1'],
  [820, 'int16', 1, 'system_grid_L1'],
  [840, 'uint16', 10, 'system_battery_voltage'],
  [841, 'int16', 10, 'system_battery_current'],
  [842, 'int16', 1, 'system_battery_power'],
  [843, 'uint16', 1, 'system_battery_soc'],
  [844, 'uint16', 1, 'system_battery_state'],
  [850, 'uint16', 1, 'system_dc_pv_power'],
  [2700, 'int16', 1, 'settings_ess_acpowersetpoint'],
  [2701, 'uint16', 1, 'settings_ess_maxchargepercentage'],
  [2702, 'uint16', 1, 'settings_ess_maxdischargepercentage'],
  [2703, 'int16', 0.01, 'settings_ess_acpowersetpoint2'],
  [2704, 'uint16', 0.1, 'settings_ess_maxdischargepower'],
  [2705, 'int16', 1, 'settings_ess_maxchargecurrent'],
  [2706, 'int16', 0.01, 'settings_ess_maxfeedinpower'],
  [2707, 'int16', 1, 'settings_ess_overvoltagefeedin'],
  [2708, 'int16', 1, 'settings_ess_preventfeedback'],
  [2900, 'uint16', 1, 'settings_ess_batterylife_state'],
  [2901, 'uint16', 10, 'settings_ess_batterylife_minimumsoc'],
  [2902, 'uint16', 1, 'settings_ess_mode'],
  [2903, 'uint16', 10, 'settings_ess_batterylife_soclimit'],
];
const HV_VEBUS: Array<[number, IntegrationRead['encoding'], number, string]> = [
  ...[3, 4, 5].map((a): [number, 'uint16', number, string] => [a, 'uint16', 10, `vebus_activein_L${a - 2}_voltage`]),
  ...[6, 7, 8].map((a): [number, 'int16', number, string] => [a, 'int16', 10, `vebus_activein_L${a - 5}_current`]),
  ...[9, 10, 11].map((a): [number, 'int16', number, string] => [a, 'int16', 100, `vebus_activein_L${a - 8}_frequency`]),
  ...[12, 13, 14].map((a): [number, 'int16', number, string] => [a, 'int16', 0.1, `vebus_activein_L${a - 11}_power`]),
  ...[15, 16, 17].map((a): [number, 'uint16', number, string] => [a, 'uint16', 10, `vebus_out_L${a - 14}_voltage`]),
  ...[18, 19, 20].map((a): [number, 'int16', number, string] => [a, 'int16', 10, `vebus_out_L${a - 17}_current`]),
  [21, 'int16', 100, 'vebus_out_L1_frequency'],
  [22, 'int16', 10, 'vebus_activein_currentlimit'],
  ...[23, 24, 25].map((a): [number, 'int16', number, string] => [a, 'int16', 0.1, `vebus_out_L${a - 22}_power`]),
  [26, 'uint16', 100, 'vebus_battery_voltage'],
  [27, 'int16', 10, 'vebus_battery_current'],
  [28, 'uint16', 1, 'vebus_numberofphases'],
  [29, 'uint16', 1, 'vebus_activein_activeinput'],
  [30, 'uint16', 10, 'vebus_soc'],
  [31, 'uint16', 1, 'vebus_state'],
  [32, 'uint16', 1, 'vebus_error'],
  [33, 'uint16', 1, 'vebus_mode'],
  [34, 'uint16', 1, 'vebus_alarm_hightemperature'],
  [35, 'uint16', 1, 'vebus_alarm_lowbattery'],
  [36, 'uint16', 1, 'vebus_alarm_overload'],
  [37, 'int16', 1, 'vebus_L1_acpowersetpoint'],
  [38, 'uint16', 1, 'vebus_disablecharge'],
  [39, 'uint16', 1, 'vebus_disablefeedin'],
  [40, 'int16', 1, 'vebus_L2_acpowersetpoint'],
  [41, 'int16', 1, 'vebus_L3_acpowersetpoint'],
  [96, 'int32', 1, 'vebus_ess_L1_acpowersetpoint'],
  [98, 'int32', 1, 'vebus_ess_L2_acpowersetpoint'],
  [100, 'int32', 1, 'vebus_ess_L3_acpowersetpoint'],
];
const VEBUS = 227;

describe('Victron GX: what evcc and hass-victron read', () => {
  const r = rig('victron-gx', { irradiance: 500, siteLoadW: 900 });

  it.each(EVCC_READS.map((x) => [x.address, x.what, x] as const))('evcc reads unit 100 register %i (%s) with function code 4', async (_a, _w, read) => {
    const v = (await r.read(r.master(100), read)) as number;
    expect(Number.isFinite(v)).toBe(true);
  });

  it('evcc values agree with the model: grid per phase, DC PV, battery sign, soc', async () => {
    const m = r.master(100);
    const grid = await Promise.all([820, 821, 822].map((a) => r.read(m, r16(a, 'int16', 1, ''))));
    expect((grid as number[]).reduce((s, x) => s + x, 0)).toBeCloseTo(900 - r.inv.state.acW, -1);
    expect(await r.read(m, r16(850, 'uint16', 1, ''))).toBe(Math.round(r.inv.state.dcW));
    expect(-((await r.read(m, r16(842, 'int16', 1, ''))) as number)).toBe(-Math.round(r.inv.state.batteryW));
    expect(await r.read(m, r16(843, 'uint16', 1, ''))).toBe(Math.round(r.battery.soc()));
  });

  it.each(HV_SYSTEM.map(([a, e, s, w]) => [a, w, e, s] as const))('hass-victron reads unit 100 register %i (%s) with function code 3', async (a, _w, e, s) => {
    const m = r.master(100);
    const v = e === 'string' ? await r.read(m, { table: 'holding', address: a, encoding: 'string', count: s }) : await r.read(m, { table: 'holding', address: a, encoding: e, count: 1 });
    if (typeof v === 'string') expect(v).toBe(r.inv.identity.serial);
    else expect(Number.isFinite(v / s)).toBe(true);
  });

  it.each(HV_VEBUS.map(([a, e, s, w]) => [a, w, e, s] as const))('hass-victron reads vebus unit register %i (%s)', async (a, _w, e, s) => {
    const v = (await r.read(r.master(VEBUS), { table: 'holding', address: a, encoding: e, count: 1 })) as number;
    expect(Number.isFinite(v / s)).toBe(true);
    if (/voltage$/.test(_w) && a < 20) expect(v / s).toBeCloseTo(230, 0);
    if (/frequency/.test(_w)) expect(v / s).toBeCloseTo(50, 1);
  });

  it('serves system on unit 100 and vebus on 227 only (another unit id: gateway target failed, 0x0B)', async () => {
    await expect(r.master(VEBUS).readHolding(843, 1)).rejects.toMatchObject({ exceptionCode: 2 });
    await expect(r.master(5).readHolding(843, 1)).rejects.toMatchObject({ exceptionCode: 0x0b });
  });
});

describe('Victron GX: ESS behaviour', () => {
  it('mode 3 (2902 = 3) with an AC setpoint of +2000 W on L1 charges the battery with it, from the grid', async () => {
    const r = rig('victron-gx', { irradiance: 0 });
    await r.master(100).writeRegister(2902, 3);
    await r.master(VEBUS).writeRegister(37, 2000);
    r.run(5);
    expect(r.inv.state.batteryW).toBeCloseTo(2000, -1);
    expect(r.inv.state.acW).toBeLessThan(-2000);
    expect(r.inv.state.acW).toBeGreaterThan(-2300);
  });

  it('a negative setpoint discharges ("Negative = discharge"); PV adds to the battery (AC-in = battery + AC-out)', async () => {
    const r = rig('victron-gx', { irradiance: 0 });
    await r.master(100).writeRegister(2902, 3);
    await r.master(VEBUS).writeRegister(37, encode(-1500, 'int16')[0]!);
    r.run(5);
    expect(r.inv.state.batteryW).toBeCloseTo(-1500, -1);
    expect(r.inv.state.acW).toBeGreaterThan(1300);
    const sunny = rig('victron-gx', { irradiance: 500 });
    await sunny.master(100).writeRegister(2902, 3);
    await sunny.master(VEBUS).writeRegister(37, 0);
    sunny.run(5);
    expect(Math.abs(sunny.inv.state.acW)).toBeLessThan(150); // nothing through AC-in: the PV goes into the battery
    expect(sunny.inv.state.batteryW).toBeGreaterThan(1000);
  });

  it('disable-charge (38 = 1) wins over a charging setpoint; the 32-bit setpoint (96) is the same setting as 37', async () => {
    const r = rig('victron-gx', { irradiance: 0 });
    const vb = r.master(VEBUS);
    await r.master(100).writeRegister(2902, 3);
    await vb.writeRegisters(96, encode(2500, 'int32'));
    expect(await vb.readHolding(37, 1)).toEqual([2500]);
    await vb.writeRegister(38, 1);
    r.run(5);
    expect(r.inv.state.batteryW).toBeLessThanOrEqual(1e-6);
    await vb.writeRegister(38, 0);
    r.run(5);
    expect(r.inv.state.batteryW).toBeCloseTo(2500, -1);
  });

  it('DVCC max charge current (2705, A) caps the charge power at that current', async () => {
    const r = rig('victron-gx', { irradiance: 0 });
    await r.master(100).writeRegister(2902, 3);
    await r.master(VEBUS).writeRegister(37, 4000);
    await r.master(100).writeRegister(2705, 20);
    r.run(5);
    expect(r.inv.state.batteryA).toBeCloseTo(20, 0);
  });

  it('back to mode 1: self-consumption, the battery covers the house load; evcc limitsoc (2901, x10) sets the floor', async () => {
    const r = rig('victron-gx', { irradiance: 0, siteLoadW: 600, soc: 50 });
    await r.master(100).writeRegister(2902, 3);
    await r.master(VEBUS).writeRegister(37, 2000);
    r.run(5);
    await r.master(100).writeRegister(2902, 1);
    r.run(5);
    expect(r.inv.state.batteryW).toBeLessThan(-550);
    await r.master(100).writeRegister(2901, 600); // 60.0 %: above the SOC, so no more discharge
    r.run(5);
    expect(r.inv.state.batteryW).toBeGreaterThanOrEqual(-1e-6);
    expect(await r.master(100).readHolding(2901, 1)).toEqual([600]);
  });

  it("refuses ESS mode 0 (Victron's list has 1..3; hass-victron's enum offers 0): exception 3", () => {
    const r = rig('victron-gx');
    expect(r.dev.units!.get(100)!.writeRegisters!(2902, [0])).toBe(ExceptionCode.IllegalDataValue);
    expect(r.dev.units!.get(100)!.writeRegisters!(2902, [3])).toBeUndefined();
  });
});
