import { packagePath } from '../../core/package-root';
import { createInverterDevice } from '../../emulators/inverter/factory';
import { loadDbc } from '../../protocols/can/dbc';
import type { ModbusDevice } from '../../protocols/modbus/device';
import type { SunSpecDevice } from '../../protocols/modbus/sunspec';
import { decodeFrameLines, decodeWriteLines, type EvidenceSource } from './decode-evidence';

function source(units: Record<number, ModbusDevice>): EvidenceSource {
  return {
    can: new Map([['pack1', { wire: { db: loadDbc(packagePath('data', 'dbc', 'pylon-lv.dbc')) } }], ['raw', {}]]),
    modbus: new Map([['site', { units: new Map(Object.entries(units).map(([k, v]) => [Number(k), v])) }]]),
  };
}

describe('evidence decoded for the report', () => {
  it('CAN frames: the bus DBC names the message and its signals; an id it lacks, or a bus without a DBC, gives nothing', () => {
    // 0x351 (data/dbc/pylon-lv.dbc): 0.1 V / 0.1 A little-endian words: 56.8 V, 20 A, 100 A, 48 V.
    const lines = ['t=1.000s pack1 351#3802C800E803E001', 't=1.000s pack1 7FF#00', 't=1.000s raw 351#3802C800E803E001', 'garbage'];
    expect(decodeFrameLines(lines, source({}))).toEqual([
      'BMS_Limits ChargeVoltageLimit=56.8 V ChargeCurrentLimit=20 A DischargeCurrentLimit=100 A DischargeVoltageLimit=48 V',
      '',
      '',
      '',
    ]);
  });

  it('Modbus writes to a SunSpec inverter: point names, values scaled with its scale factors, units', () => {
    // A hybrid inverter (it has a battery, so it serves model 124) on a fixed 50 V battery.
    const battery = { voltage: () => 50, chargeCurrentLimit: () => 100, dischargeCurrentLimit: () => 100, contactorClosed: () => true, setCurrent: () => undefined, soc: () => 0.5, capacityAh: () => 100 };
    const inv = createInverterDevice({ name: 'inv1', battery });
    const sun = inv.modbus as SunSpecDevice;
    const at = (point: string): number => sun.addressOf(124)! + sun.model(124)!.layout.point(point)!.offset;
    // InOutWRte_SF is -2 on this map: 10000 is 100.00 %.
    expect(sun.model(124)!.getRaw('InOutWRte_SF')).toBe(-2);
    const lines = [
      `t=6.100s site unit 1 fc16 @${at('OutWRte')} = [0,10000] (124.OutWRte, 124.InWRte) -> ok`,
      `t=0.000s site unit 1 fc6 @${at('StorCtl_Mod')} = 3 (124.StorCtl_Mod) -> ok`,
      `t=0.000s site unit 2 fc16 @${at('OutWRte')} = [0,10000] -> ok`,
    ];
    expect(decodeWriteLines(lines, source({ 1: inv.modbus }))).toEqual(['124.OutWRte = 0 % WDisChaMax, 124.InWRte = 100 % WChaMax', '124.StorCtl_Mod = 3', '']);
  });

  it('Modbus writes to a vendor map inverter: register names and units from the map', () => {
    const inv = createInverterDevice({ name: 'inv1', map: 'sungrow-sh' });
    // data/inverters/sungrow-sh.yaml: 13049 ems_mode, 13050 forced_cmd, 13051 forced_power (W).
    const lines = ['t=2.000s site unit 1 fc16 @13049 = [2,170,3000] -> ok'];
    expect(decodeWriteLines(lines, source({ 1: inv.modbus }))).toEqual(['ems_mode = 2, forced_cmd = 170, forced_power = 3000 W']);
  });
});
