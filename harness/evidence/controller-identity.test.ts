import { collectIdentity, mergeIdentities, withSunSpec } from './controller-identity';

describe('controller identity', () => {
  it('collects what devices heard, skipping devices that heard nothing or cannot say', () => {
    expect(
      collectIdentity([
        { name: 'inv1', heardIdentity: () => ({ bmsName: 'PYLON' }) },
        { name: 'inv2', heardIdentity: () => undefined },
        { name: 'pack1' },
        {
          name: 'bad',
          heardIdentity: () => {
            throw new Error('x');
          },
        },
      ]),
    ).toEqual({ bmsName: { inv1: 'PYLON' } });
    expect(collectIdentity([{ name: 'pack1' }])).toBeUndefined();
  });

  it('merges scenarios: one name per device, a changed name shown beside the first', () => {
    expect(mergeIdentities([{ bmsName: { inv1: 'PYLON' } }, undefined, { bmsName: { inv1: 'PYLON', inv2: 'SMA' } }, { bmsName: { inv1: 'HIL' } }])).toEqual({
      bmsName: { inv1: 'PYLON | HIL', inv2: 'SMA' },
    });
    expect(mergeIdentities([undefined])).toBeUndefined();
  });

  it('adds the SunSpec read to what was heard: the values when read, the note always', () => {
    expect(withSunSpec(undefined, undefined)).toBeUndefined();
    expect(withSunSpec({ bmsName: { inv1: 'PYLON' } }, { common: { Mn: 'Acme' }, note: 'read at 40002' })).toEqual({
      bmsName: { inv1: 'PYLON' },
      sunspecCommon: { Mn: 'Acme' },
      sunspecNote: 'read at 40002',
    });
    expect(withSunSpec(undefined, { note: 'nothing answered' })).toEqual({ sunspecNote: 'nothing answered' });
  });

  it('merges SunSpec model 1 per point and keeps each distinct note once', () => {
    expect(
      mergeIdentities([
        { sunspecCommon: { Mn: 'Acme', Vr: '1.0' }, sunspecNote: 'a' },
        { sunspecNote: 'b' },
        { sunspecCommon: { Mn: 'Acme', Vr: '1.1' }, sunspecNote: 'a' },
      ]),
    ).toEqual({ sunspecCommon: { Mn: 'Acme', Vr: '1.0 | 1.1' }, sunspecNote: 'a | b' });
  });
});
