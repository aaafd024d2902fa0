import { distance } from 'fastest-levenshtein';

/**
 * The candidate a mistyped name most likely meant: the same name in other letter case, else the shortest candidate
 * the name begins (a name cut short), else the nearest by edit distance if it is close (at most 40 % of the name's
 * length, at least 2 edits allowed). Undefined if nothing is close.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const list = [...new Set(candidates)].filter((c) => c !== word);
  if (word === '' || list.length === 0) return undefined;
  const lower = word.toLowerCase();
  const sameCase = list.find((c) => c.toLowerCase() === lower);
  if (sameCase) return sameCase;
  // A name cut short (`ProtectionOverTemp`) means the shortest name it begins.
  const longer = word.length >= 3 ? list.filter((c) => c.toLowerCase().startsWith(lower)).sort((a, b) => a.length - b.length)[0] : undefined;
  if (longer !== undefined) return longer;
  const allowed = Math.max(2, Math.floor(word.length * 0.4));
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of list) {
    if (Math.abs(c.length - word.length) > allowed) continue;
    const d = distance(lower, c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best !== undefined && bestD <= allowed && bestD < word.length ? best : undefined;
}

/** ` (did you mean 'x'?)`, or '' when nothing is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const c = closest(word, candidates);
  return c === undefined ? '' : ` (did you mean '${c}'?)`;
}
