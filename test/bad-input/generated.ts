import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { INPUT_LIMITS } from '../../harness/config/limits';

/**
 * Broken files too big, too odd or too dangerous to commit, made by the corpus test in a temp directory; they count
 * as part of the corpus (README of test/bad-input). `expect` is `line:col` in the file, or `file` for a problem
 * with the file as a whole (it cannot be read, or is not a file); `fragment` is part of the message.
 */
export interface GeneratedCase {
  name: string;
  what: string;
  expect: string;
  fragment: string;
  /** Needs the CLI to run as another user (root reads any file whatever its mode). */
  unreadable?: boolean;
}

const EXPECT = 'expect:\n  - id: ok\n    atEnd: t > 0\n';
const head = (name: string): string => `scenario: gen-${name}\nduration: 1m\n`;

// Locations: the nesting guard stops where the estimate passes limit + 1 levels (the 65th bracket or '-' after the
// root mapping; the 66th indentation level); the bomb crosses 20,000 values at the 2nd alias to a3 (a0..a3 hold 10,
// 91, 820 and 7381 values, about 8,330 with the rest of the file); the rest point at the offending byte or expression.
export const GENERATED: readonly GeneratedCase[] = [
  { name: 'deep-flow-5000.yaml', what: 'flow sequences nested 5,000 deep', expect: '3:71', fragment: `nested more than ${INPUT_LIMITS.nestingDepth} levels` },
  { name: 'deep-block-5000.yaml', what: 'block sequences nested 5,000 deep on one line', expect: '4:129', fragment: `nested more than ${INPUT_LIMITS.nestingDepth} levels` },
  { name: 'deep-map-1000.yaml', what: 'mappings nested 1,000 deep by indentation', expect: '71:66', fragment: `nested more than ${INPUT_LIMITS.nestingDepth} levels` },
  { name: 'alias-bomb-billion.yaml', what: 'billion laughs: 9 levels of 9 aliases under a key the schema allows', expect: '13:19', fragment: 'alias bomb' },
  // scenario, its id, duration, 1m, tags and '[' are values 1-6; the k-th 'a' (column 8 + 2(k - 1)) is value 6 + k.
  { name: 'dense-values.yaml', what: 'a flow list of 400,000 values (parsing it would take seconds)', expect: `3:${8 + 2 * (INPUT_LIMITS.values - 6)}`, fragment: `more than ${INPUT_LIMITS.values} values` },
  { name: 'expression-400-parens.yaml', what: 'an expression nested 400 parentheses deep', expect: '5:12', fragment: 'nests more than 32 levels' },
  { name: 'utf16.yaml', what: 'UTF-16 text with its byte-order mark', expect: '1:1', fragment: 'save it as UTF-8' },
  { name: 'latin1.yaml', what: 'Latin-1 text (not UTF-8)', expect: '3:11', fragment: 'is not UTF-8 text (byte 0xe9' },
  { name: 'nul-byte.yaml', what: 'a NUL byte in a value', expect: '3:9', fragment: 'control character U+0000' },
  { name: 'oversize.yaml', what: 'a file over 1 MiB', expect: 'file', fragment: 'may have at most 1048576 bytes' },
  { name: 'fifo.yaml', what: 'a FIFO (reading it would block forever)', expect: 'file', fragment: 'is a FIFO (named pipe)' },
  // Given as an argument a directory is read for scenario files ("no .yaml or .yml files in this directory"); listed
  // inside a directory it is "a directory, not a file": the fragment fits both.
  { name: 'directory.yaml', what: 'a directory named like a scenario', expect: 'file', fragment: 'directory' },
  { name: 'symlink-loop.yaml', what: 'a symbolic link to itself', expect: 'file', fragment: 'too many levels of symbolic links' },
  { name: 'dangling-link.yaml', what: 'a symbolic link to nothing', expect: 'file', fragment: 'no such file' },
  { name: 'unreadable.yaml', what: 'a file its reader may not read (mode 000)', expect: 'file', fragment: 'permission denied', unreadable: true },
];

/** Write every generated case into `dir` (which must exist and be empty). */
export function writeGenerated(dir: string): void {
  const put = (name: string, text: string | Buffer): void => writeFileSync(join(dir, name), text);
  put('deep-flow-5000.yaml', `${head('deep-flow')}tags: ${'['.repeat(5000)}${']'.repeat(5000)}\n${EXPECT}`);
  put('deep-block-5000.yaml', `${head('deep-block')}tags:\n${'- '.repeat(5000)}x\n${EXPECT}`);
  put('deep-map-1000.yaml', `${head('deep-map')}${EXPECT}initial:\n${Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')} 1\n`);
  const lols = ['lol', ...Array.from({ length: 8 }, (_, i) => `*a${i}`)];
  put(
    'alias-bomb-billion.yaml',
    `${head('alias-bomb-billion')}${EXPECT}initial:\n  devices:\n    pack1: { soc: 50 }\n    x: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n` +
      lols.slice(1).map((ref, i) => `    x${i + 1}: &a${i + 1} [${Array(9).fill(ref).join(', ')}]\n`).join(''),
  );
  put('dense-values.yaml', `${head('dense-values')}tags: [${Array(400_000).fill('a').join(',')}]\n${EXPECT}`);
  put('expression-400-parens.yaml', `${head('expression-400-parens')}expect:\n  - id: deep\n    atEnd: "${'('.repeat(400)}t${')'.repeat(400)} > 0"\n`);
  put('utf16.yaml', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${head('utf16')}${EXPECT}`, 'utf16le')]));
  put('latin1.yaml', Buffer.concat([Buffer.from(`${head('latin1')}title: caf`), Buffer.from([0xe9]), Buffer.from(`\n${EXPECT}`)]));
  put('nul-byte.yaml', `${head('nul-byte')}title: a\u0000b\n${EXPECT}`);
  put('oversize.yaml', `${head('oversize')}${EXPECT}${`# ${'x'.repeat(78)}\n`.repeat(Math.ceil((INPUT_LIMITS.fileBytes + 1) / 81))}`);
  execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
  mkdirSync(join(dir, 'directory.yaml'));
  symlinkSync(join(dir, 'symlink-loop.yaml'), join(dir, 'symlink-loop.yaml'));
  symlinkSync(join(dir, 'no-such-target.yaml'), join(dir, 'dangling-link.yaml'));
  put('unreadable.yaml', `${head('unreadable')}${EXPECT}`);
  chmodSync(join(dir, 'unreadable.yaml'), 0o000);
}
