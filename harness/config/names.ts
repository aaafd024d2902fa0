import { INPUT_LIMITS, RESERVED_NAMES } from './limits';

/**
 * What is wrong with an id or a name written in a file (scenario and expectation ids, device, bus and fault names),
 * or undefined: longer than `INPUT_LIMITS.idLength` (ids become file and directory names), a path separator or a
 * control character, or a name every JavaScript object has (`__proto__`, `constructor`, ...). Dotted names
 * (`pack1.current`) are checked part by part.
 */
export function nameProblem(name: string, what: string): string | undefined {
  if (name.length > INPUT_LIMITS.idLength) {
    return `${what} is ${name.length} characters long; the limit is ${INPUT_LIMITS.idLength} (ids and names become file names)`;
  }
  if (/[\\/]/.test(name)) return `${what} '${name}' must not contain '/' or '\\' (ids and names become file names)`;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(name)) return `${what} ${JSON.stringify(name)} must not contain control characters`;
  const reserved = name.split('.').find((part) => RESERVED_NAMES.has(part));
  if (reserved !== undefined) return `${what} '${name}': '${reserved}' is a reserved name (every JavaScript object has it)`;
  return undefined;
}
