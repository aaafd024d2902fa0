import { COMMANDS, type EmulateInterpreter, type EmulateTarget } from './interpreter';

/** Node readline's completer: the candidates for the word under the cursor, and that word. */
export type Completer = (line: string) => [string[], string];

/**
 * Tab completion for `hil emulate`: commands; device names; signal names one dotted segment at a time (`pack1.`
 * offers `pack1.soc `, `pack1.temperature.` ...); inputs for `set`; for `fault` the device's fault kinds, then
 * `name=` of the parameters not given yet and the allowed values after `name=`; fault ids in force for `clear`.
 * A finished word ends with a space, a segment with its dot, so Tab then goes on with the next one.
 */
export function createCompleter(inst: EmulateTarget, interpreter: Pick<EmulateInterpreter, 'faultKinds'>): Completer {
  return (line) => {
    const word = /(\S*)$/.exec(line)![1]!;
    const before = line.slice(0, line.length - word.length).trim();
    const args = before ? before.split(/\s+/) : [];
    const cmd = args[0];
    const devices = [...inst.devices.keys()];
    let names: string[] = [];
    if (args.length === 0) names = COMMANDS.map((c) => c.name).concat('exit');
    else if (cmd === 'help' && args.length === 1) names = COMMANDS.map((c) => c.name);
    else if ((cmd === 'signals' || cmd === 'kinds') && args.length === 1) names = devices;
    else if (cmd === 'show') names = [...devices, ...inst.signalNames()];
    else if (cmd === 'set' && args.length === 1) names = ['ambient', ...[...inst.devices.values()].flatMap((d) => d.inputNames().map((i) => `${d.name}.${i}`))];
    else if (cmd === 'clear' && args.length === 1) names = inst.activeFaults().map((f) => f.id);
    else if (cmd === 'fault' && args.length === 2) names = devices;
    else if (cmd === 'fault' && args.length === 3) names = interpreter.faultKinds(args[2]!).map((k) => k.kind);
    else if (cmd === 'fault' && args.length >= 4) return [paramCandidates(interpreter, args, word), word];
    return [segments(names, word), word];
  };
}

/** Candidates for `word` among `names`, cut after the next dot past what is typed. */
function segments(names: string[], word: string): string[] {
  const out = new Set<string>();
  for (const n of names) {
    if (!n.startsWith(word)) continue;
    const dot = n.indexOf('.', word.length);
    out.add(dot < 0 ? `${n} ` : n.slice(0, dot + 1));
  }
  return [...out].sort();
}

function paramCandidates(interpreter: Pick<EmulateInterpreter, 'faultKinds'>, args: string[], word: string): string[] {
  const info = interpreter.faultKinds(args[2]!).find((k) => k.kind === args[3]);
  if (!info || args[4]?.startsWith('{')) return [];
  const eq = word.indexOf('=');
  if (eq < 0) {
    const given = new Set(args.slice(4).map((a) => a.split('=')[0]));
    return info.params.filter((p) => !given.has(p.name) && p.name.startsWith(word)).map((p) => `${p.name}=`);
  }
  const p = info.params.find((x) => x.name === word.slice(0, eq));
  const values = p?.type === 'boolean' ? ['true', 'false'] : (p?.values ?? []);
  if (p?.type === 'array') {
    const typed = word.slice(eq + 1);
    const head = typed.slice(0, typed.lastIndexOf(',') + 1);
    return values.filter((v) => `${head}${v}`.startsWith(typed)).map((v) => `${p.name}=${head}${v}`);
  }
  return values.map((v) => `${word.slice(0, eq + 1)}${v} `).filter((c) => c.startsWith(word));
}
