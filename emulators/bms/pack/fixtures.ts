import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../../core/errors';
import { packagePath } from '../../../core/package-root';
import { loadPackProfile } from './profile-schema';
import type { PackProfile } from './profile-types';

/** data/packs of this package (from the sources or from dist/). */
export function packFixturesDir(): string {
  return packagePath('data', 'packs');
}

/** Ids of the bundled pack profiles (file names without .json). */
export function listPackFixtures(): string[] {
  return readdirSync(packFixturesDir())
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** Load and validate a bundled profile by id (`nissan-leaf-24kwh`). Throws `ConfigError` if unknown or invalid. */
export function loadPackFixture(id: string): PackProfile {
  const known = listPackFixtures();
  if (!known.includes(id)) throw new ConfigError(`unknown pack profile '${id}' (known: ${known.join(', ')})`);
  return loadPackProfile(join(packFixturesDir(), `${id}.json`));
}
