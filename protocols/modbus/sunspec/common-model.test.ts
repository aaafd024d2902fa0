import { OperationError } from '../../../core/errors';
import { readCommonModel } from './common-model';
import { discoverSunSpec, readerFor } from './discover';
import { SunSpecDevice } from './sunspec-device';
import { SunSpecModel } from './sunspec-model';

const common = (values: Record<string, string | number>): SunSpecModel => SunSpecModel.load(1, { values });

describe('readCommonModel (SunSpec model 1 as a client reads it)', () => {
  it.each([40000, 0, 50000])('finds SunS at %i and decodes Mn, Md, Opt, Vr, SN, DA by the official layout', async (base) => {
    const dev = new SunSpecDevice({ base, models: [common({ Mn: 'Acme Energy', Md: 'SiteCtl 7', Opt: 'grid', Vr: '2.4.1', SN: 'SC-0042', DA: 3 })] });
    const r = await readCommonModel(readerFor(dev));
    expect(r.base).toBe(base);
    expect(r.address).toBe(base + 2);
    expect(r.values).toEqual({ Mn: 'Acme Energy', Md: 'SiteCtl 7', Opt: 'grid', Vr: '2.4.1', SN: 'SC-0042', DA: '3' });
  });

  it('leaves out points the device does not implement (all-zero strings)', async () => {
    const dev = new SunSpecDevice({ models: [common({ Mn: 'Acme', SN: '1' })] });
    expect((await readCommonModel(readerFor(dev))).values).toEqual({ Mn: 'Acme', SN: '1' });
  });

  it('reads model 1 where it sits in the chain, after a given discovery', async () => {
    const dev = new SunSpecDevice({ models: [SunSpecModel.load(101, { scaleFactors: { W_SF: 0 } }), common({ Mn: 'Late' })] });
    const read = readerFor(dev);
    const d = await discoverSunSpec(read);
    const r = await readCommonModel(read, d);
    expect(r.address).toBe(d.models[1]!.address);
    expect(r.values.Mn).toBe('Late');
  });

  it('says why when the chain has no model 1, and when no base answers SunS', async () => {
    const noCommon = new SunSpecDevice({ models: [SunSpecModel.load(101, { scaleFactors: { W_SF: 0 } })] });
    await expect(readCommonModel(readerFor(noCommon))).rejects.toThrow(/no Common model \(1\): models 101/);
    const blank = async (): Promise<number[]> => [0, 0];
    await expect(readCommonModel(blank)).rejects.toThrow(OperationError);
    await expect(readCommonModel(blank)).rejects.toThrow(/no SunSpec marker 'SunS' at 40000, 0, 50000/);
  });
});
