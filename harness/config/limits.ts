/**
 * Limits on what bench and scenario files may ask for, so that no file can hang the harness, exhaust its memory or
 * crash it with a stack trace: anything past a limit is bad input (exit 2, `file:line:column`, the limit named).
 * Each limit sits far above what a real file needs; docs/input-limits.md gives the reasons.
 */
export const INPUT_LIMITS = {
  /** Bytes in one bench or scenario file (the bundled ones are under 6 KB; `values` bounds the cost of parsing). */
  fileBytes: 1024 * 1024,
  /** Nesting of mappings and sequences (the deepest key of a real file is 6 levels down). */
  nestingDepth: 64,
  /**
   * Values (scalars, mappings, sequences) in one file, written out and after YAML aliases are expanded: stops alias
   * bombs, and bounds the parse (about a second per 50,000 values on a busy 2-core machine). The bundled files hold
   * a few hundred; a timeline of 3,000 steps fits.
   */
  values: 20_000,
  /** Characters of an id or a name (scenario, expectation, device, bus, fault): ids become file names. */
  idLength: 100,
  /** Longest duration anywhere (scenario, step, deadline, timeout): 366 days. */
  durationMs: 366 * 86_400_000,
  /** Plant step bounds. */
  minStepMs: 1,
  maxStepMs: 60_000,
  /**
   * Plant steps in one scenario (duration / step). The runner does tens of thousands of steps per wall second in
   * virtual time (`npm run bench:runner`), so this is minutes of CPU: past it, use a coarser step.
   */
  steps: 10_000_000,
  /** Problems listed per file (the rest are counted). */
  problemsPerFile: 50,
} as const;

/**
 * Names a file may not use as a key or an id: they are properties of every JavaScript object (`__proto__` would
 * change an object's prototype, `constructor` would read a function), so a lookup by such a name finds something
 * that is not there.
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);
