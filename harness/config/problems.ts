import { ConfigError } from '../../core/errors';
import { INPUT_LIMITS } from './limits';

/** One thing wrong with an input: where (`file:line:column`, a file, an option) and what. */
export interface Problem {
  where: string | undefined;
  message: string;
}

/**
 * Every problem found in one input (a file, a set of options), not only the first, so a user fixes them in one go.
 * A `ConfigError` (exit code 2); its message is the first problem, then one line per further problem.
 */
export class InputProblems extends ConfigError {
  readonly problems: readonly Problem[];
  constructor(problems: readonly Problem[]) {
    const first = problems[0] ?? { where: undefined, message: 'invalid input' };
    const rest = problems.slice(1).map((p) => `\n  ${p.where ? `${p.where}: ` : ''}${p.message}`);
    super(`${first.message}${rest.join('')}`, first.where);
    this.problems = problems;
  }
}

/** The problems an error stands for: all of an `InputProblems`, the one of a `ConfigError`. */
export function problemsOf(err: ConfigError): Problem[] {
  if (err instanceof InputProblems) return [...err.problems];
  const loc = err.location;
  const message = loc && err.message.startsWith(`${loc}: `) ? err.message.slice(loc.length + 2) : err.message;
  return [{ where: loc, message }];
}

/** `where: message`, or the message alone. */
export function formatProblem(p: Problem): string {
  return p.where ? `${p.where}: ${p.message}` : p.message;
}

/**
 * Collects problems while checking one input. `attempt` runs a check that throws `ConfigError` and records what it
 * throws instead; anything else (a bug) still throws.
 */
export class ProblemList {
  readonly items: Problem[] = [];

  add(where: string | undefined, message: string): void {
    this.items.push({ where, message });
  }

  addAll(problems: readonly Problem[]): void {
    this.items.push(...problems);
  }

  get empty(): boolean {
    return this.items.length === 0;
  }

  /** Run `fn`; a `ConfigError` it throws is recorded (located at `where` if it has no location) and gives undefined. */
  attempt<T>(fn: () => T, where?: string): T | undefined {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      for (const p of problemsOf(err)) this.items.push({ where: p.where ?? where, message: p.message });
      return undefined;
    }
  }

  /** Async `attempt`. */
  async attemptAsync<T>(fn: () => Promise<T>, where?: string): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      for (const p of problemsOf(err)) this.items.push({ where: p.where ?? where, message: p.message });
      return undefined;
    }
  }

  /** Throw them all as one `InputProblems` (at most `INPUT_LIMITS.problemsPerFile`, then a count), if there are any. */
  throwIfAny(): void {
    if (this.items.length === 0) return;
    throw new InputProblems(capProblems(this.items));
  }
}

/** At most `INPUT_LIMITS.problemsPerFile` problems, the last one saying how many more there were. */
export function capProblems(problems: readonly Problem[]): Problem[] {
  const max = INPUT_LIMITS.problemsPerFile;
  if (problems.length <= max) return [...problems];
  return [...problems.slice(0, max), { where: problems[max]!.where, message: `... and ${problems.length - max} more problem(s)` }];
}
