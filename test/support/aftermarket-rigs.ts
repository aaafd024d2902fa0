/**
 * The rig opener of an aftermarket profile test file: `open(protocol, params?)` opens `aftermarketRig(...)`
 * (emulators/bms/profiles/aftermarket-common/test-rig.ts), and every rig opened in a test is closed after it (this
 * registers the file's `afterEach`: call it at the top of the `describe` body).
 */
import { aftermarketRig, type AftermarketRig } from '../../emulators/bms/profiles/aftermarket-common/test-rig';

export function aftermarketRigs(): (protocol: string, params?: Record<string, unknown>) => Promise<AftermarketRig> {
  const open: AftermarketRig[] = [];
  afterEach(async () => {
    for (const r of open.splice(0)) await r.close();
  });
  return async (protocol, params) => {
    const r = await aftermarketRig(protocol, params);
    open.push(r);
    return r;
  };
}
