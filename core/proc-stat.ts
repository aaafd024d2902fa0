import { readFileSync } from 'node:fs';

/**
 * The fields of `/proc/<pid>/stat` from field 3 (state) on, as strings (proc(5): field n is element n - 3), or
 * undefined where there is no such process or no /proc. The command name (field 2) may hold spaces and
 * parentheses, so the fields resume after its last ')'.
 */
export function procStatFields(pid: number): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}
