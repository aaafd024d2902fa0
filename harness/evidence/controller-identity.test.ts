import { collectIdentity, mergeIdentities } from './controller-identity';

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
});
