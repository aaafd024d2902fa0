import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError } from './errors';

let cached: string | undefined;

/**
 * The package root: the nearest directory above this module that holds package.json and `data/`. Works from
 * the TypeScript sources (ts-jest) and from the compiled `dist/` tree alike, whatever the current directory.
 */
export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = __dirname;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'data'))) return (cached = dir);
    const up = dirname(dir);
    if (up === dir) throw new ConfigError(`cannot find the package root (package.json with data/) above ${__dirname}`);
    dir = up;
  }
}

/** A path inside the package: `packagePath('data', 'dbc', 'pylon-lv.dbc')`. */
export function packagePath(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}
