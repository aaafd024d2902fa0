import { stringify } from 'yaml';
import { EmulateInterpreter, type EmulateTarget } from '../operator/interpreter';

/** A manual action from the dashboard (or any API client). */
export type DashboardAction =
  | { type: 'fault'; id?: string; device: string; kind: string; params?: Record<string, unknown> }
  | { type: 'clear'; id: string }
  | { type: 'clear-all' }
  | { type: 'set'; key: string; value: number };

/** One logged action: when (seconds since the bench started), what, and how it went. */
export interface ActionRecord {
  t: number;
  action: DashboardAction;
  ok: boolean;
  message: string;
  /** For `clear-all`: the ids it cleared (the export replays them one by one). */
  cleared?: string[];
}

/** Raised for a body that is not an action at all (HTTP 400); a refused action is a record with `ok: false`. */
export class BadActionError extends Error {}

/**
 * Applies manual actions to a running bench through the same checks as `hil emulate`'s prompt (one command
 * language, one fault catalog), keeps every attempt with its time, and exports the successful ones as a scenario.
 *
 * Contract: `apply` never throws for a refused action (the record says why and nothing changed); it throws
 * {@link BadActionError} only for a value that is not an action object.
 */
export class DashboardActions {
  readonly log: ActionRecord[] = [];
  private readonly interpreter: EmulateInterpreter;
  private autoId = 0;

  constructor(
    private readonly inst: EmulateTarget,
    private readonly nowS: () => number,
    private readonly onRecord?: (r: ActionRecord) => void,
  ) {
    this.interpreter = new EmulateInterpreter(inst, () => '');
  }

  apply(body: unknown): ActionRecord {
    const action = parseAction(body);
    const t = Math.round(this.nowS() * 1000) / 1000;
    let rec: ActionRecord;
    if (action.type === 'clear-all') {
      const ids = this.inst.activeFaults().map((f) => f.id);
      for (const id of ids) this.inst.clearFault(id);
      rec = { t, action, ok: true, message: ids.length ? `cleared ${ids.join(', ')}` : 'no faults in force', cleared: ids };
    } else {
      if (action.type === 'fault' && !action.id) action.id = this.freshId(action.kind);
      const r = this.interpreter.run(commandLine(action));
      rec = { t, action, ok: !r.error, message: r.lines.join(' ').replace(/^error: /, '') };
    }
    this.log.push(rec);
    this.onRecord?.(rec);
    return rec;
  }

  /**
   * The successful actions as a scenario file (YAML) that `hil validate` accepts and `hil run` replays at the same
   * times (rounded to the 100 ms plant step). Its one expectation only says the session ran: write the real ones.
   */
  exportScenario(name = 'ui-session'): string {
    const timeline: Array<Record<string, unknown>> = [];
    // A scenario uses each fault id once; the bench lets an id be reused after its clear, so later uses are renamed.
    const used = new Set<string>();
    const live = new Map<string, string>();
    const exported = (id: string): string => {
      let out = id;
      for (let n = 2; used.has(out); n++) out = `${id}-${n}`;
      used.add(out);
      live.set(id, out);
      return out;
    };
    const cleared = (id: string): string => {
      const out = live.get(id) ?? id;
      live.delete(id);
      return out;
    };
    let last = 0;
    for (const r of this.log) {
      if (!r.ok) continue;
      const at = `${Math.round(r.t * 10) * 100}ms`;
      last = Math.max(last, r.t);
      const a = r.action;
      if (a.type === 'set') timeline.push({ at, set: { [a.key]: a.value } });
      else if (a.type === 'fault') timeline.push({ at, fault: { id: exported(a.id!), device: a.device, kind: a.kind, ...(a.params ?? {}) } });
      else if (a.type === 'clear') timeline.push({ at, clear: cleared(a.id) });
      else for (const id of r.cleared ?? []) timeline.push({ at, clear: cleared(id) });
    }
    const doc = {
      scenario: name,
      title: `Session recorded on the dashboard of bench '${this.inst.bench.file.bench}'`,
      description: 'Exported by hil emulate --ui: the manual actions at the times they were taken. Add the expectations to judge.',
      duration: `${Math.ceil(last) + 5}s`,
      ...(timeline.length ? { timeline } : {}),
      expect: [{ id: 'session-replayed', description: 'placeholder: the bench ran the whole session', atEnd: `t >= ${Math.ceil(last)}` }],
    };
    return stringify(doc);
  }

  private freshId(kind: string): string {
    const ids = new Set(this.inst.activeFaults().map((f) => f.id));
    let id: string;
    do id = `${kind}-${++this.autoId}`;
    while (ids.has(id));
    return id;
  }
}

function commandLine(a: Exclude<DashboardAction, { type: 'clear-all' }>): string {
  switch (a.type) {
    case 'set':
      return `set ${a.key} ${a.value}`;
    case 'clear':
      return `clear ${a.id}`;
    case 'fault':
      return `fault ${a.id ?? ''} ${a.device} ${a.kind} ${JSON.stringify(a.params ?? {})}`;
  }
}

const WORD = /^[^\s]{1,128}$/;

function parseAction(body: unknown): DashboardAction {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadActionError('expected a JSON object with "type"');
  const b = body as Record<string, unknown>;
  const word = (k: string): string => {
    const v = b[k];
    if (typeof v !== 'string' || !WORD.test(v)) throw new BadActionError(`"${k}": expected a string without spaces`);
    return v;
  };
  switch (b['type']) {
    case 'fault': {
      const params = b['params'] ?? {};
      if (typeof params !== 'object' || params === null || Array.isArray(params)) throw new BadActionError('"params": expected an object');
      return { type: 'fault', ...(b['id'] !== undefined && b['id'] !== '' ? { id: word('id') } : {}), device: word('device'), kind: word('kind'), params: params as Record<string, unknown> };
    }
    case 'clear':
      return { type: 'clear', id: word('id') };
    case 'clear-all':
      return { type: 'clear-all' };
    case 'set': {
      const value = b['value'];
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new BadActionError('"value": expected a finite number');
      return { type: 'set', key: word('key'), value };
    }
    default:
      throw new BadActionError('"type": one of fault, clear, clear-all, set');
  }
}
