import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../../../core/errors';
import { loadPackProfile } from './profile-schema';
import type { PackProfile } from './profile-types';

/** fixtures/packs, found from the source tree (ts-jest) or from dist/ (compiled). */
export function packFixturesDir(): string {
  const candidates = [resolve(__dirname, '../../../fixtures/packs'), resolve(__dirname, '../../../../fixtures/packs')];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new ConfigError(`fixtures/packs not found (looked in ${candidates.join(', ')})`);
  return found;
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
