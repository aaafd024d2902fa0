import { VirtualClock } from '../../core/clock';
import { ConfigError } from '../../core/errors';
import { BenchInstance } from '../bench/bench-instance';
import type { Bench } from '../bench/load-bench';
import { faultKindProblem } from '../bench/fault-catalog';
import { problemsOf, ProblemList, type Problem } from '../config/problems';
import { didYouMean } from '../../core/suggest';
import type { Scenario } from './scenario';

/** Virtual runs start at this instant (2026-01-01T00:00:00Z), so traces carry plausible, reproducible timestamps. */
const DRY_EPOCH_MS = Date.UTC(2026, 0, 1);

/**
 * Every problem of a scenario against a bench, found on a throwaway dry bench (virtual clock, nothing listening,
 * no adapter opened): devices exist, initial conditions and stimuli are accepted, every fault is accepted by its
 * device (injected and cleared), every signal the expectations read exists. Each problem is located in the
 * scenario file and says what is close when a name is mistyped (devices, inputs, fault kinds, signals, DBC
 * messages and signals). A bench that cannot be brought up at all is one problem at the bench file.
 */
export async function scenarioBenchProblems(bench: Bench, scenario: Scenario): Promise<Problem[]> {
  let inst: BenchInstance;
  try {
    inst = await BenchInstance.start(bench, { clock: new VirtualClock(DRY_EPOCH_MS), mode: 'virtual', seed: scenario.seed, serveNetwork: false });
  } catch (err) {
    if (err instanceof ConfigError) return problemsOf(err).map((p) => ({ where: p.where ?? bench.source, message: p.message }));
    throw err;
  }
  const problems = new ProblemList();
  try {
    const devices = [...inst.devices.keys()];
    for (const [name, values] of Object.entries(scenario.devices)) {
      const where = scenario.where.devices[name];
      const dev = inst.devices.get(name);
      if (!dev) problems.add(where, `no device '${name}' on bench '${bench.file.bench}'${didYouMean(name, devices)} (have: ${devices.join(', ')})`);
      else problems.attempt(() => dev.applyInitial(values), where);
    }
    const stimulus = (key: string, value: number | string | boolean, where: string): void => {
      const hint = inputHint(inst, key);
      if (hint) problems.add(where, hint);
      else problems.attempt(() => inst.setInput(key, value, where), where);
    };
    for (const step of scenario.timeline) {
      const a = step.action;
      if (a.kind === 'set') for (const [k, v] of Object.entries(a.values)) stimulus(k, v, step.keyWhere?.[k] ?? step.where);
      else if (a.kind === 'ramp') {
        const hint = inputHint(inst, a.target);
        if (hint) problems.add(step.where, `ramp: ${hint}`);
        else if (a.from === undefined && numeric(inst.signal(a.target)) === undefined) {
          problems.add(step.where, `ramp of '${a.target}': its current value cannot be read; give 'from'`);
        } else {
          if (a.from !== undefined) stimulus(a.target, a.from, step.where);
          stimulus(a.target, a.to, step.where);
        }
      } else if (a.kind === 'fault') {
        const dev = inst.devices.get(a.device);
        if (!dev) {
          problems.add(step.where, `fault '${a.id}': no device '${a.device}' on this bench${didYouMean(a.device, devices)} (have: ${devices.join(', ')})`);
          continue;
        }
        const why = faultKindProblem(dev, bench.file.devices.find((d) => d.name === a.device)?.modbus !== undefined, a.fault);
        if (why) {
          problems.add(step.where, `fault '${a.id}': ${why}`);
          continue;
        }
        const ok = problems.attempt(() => (inst.injectFault(a.id, a.device, a.fault, a.params, step.where), true), step.where);
        if (ok) inst.clearFault(a.id);
      } else if (a.kind === 'age') {
        // One day of the duty on the dry bench: the devices are checked without spending the years.
        problems.attempt(() => inst.agePacks(Math.min(a.days, 1), a.duty, a.devices, step.where), step.where);
      }
    }
    for (const e of scenario.expectations) {
      const f = e.form;
      const fields = f.kind === 'reaction' ? ([['when', f.when], ['then', f.then]] as const) : ([[f.kind === 'invariant' ? 'always' : f.kind === 'eventually' ? 'eventually' : 'atEnd', f.cond]] as const);
      for (const [field, compiled] of fields) {
        for (const signal of compiled.signals) {
          if (!inst.knowsSignal(signal)) problems.add(e.fieldWhere?.[field] ?? e.where, `expectation '${e.id}': ${signalHint(inst, signal)}`);
        }
      }
    }
  } finally {
    await inst.close();
  }
  return problems.items;
}

/** Why a stimulus name (`ambient`, `<device>.<input>`) is not on this bench, or undefined if it is. */
function inputHint(inst: BenchInstance, key: string): string | undefined {
  if (key === 'ambient') return undefined;
  const devices = [...inst.devices.keys()];
  const dot = key.indexOf('.');
  const dev = dot > 0 ? inst.devices.get(key.slice(0, dot)) : undefined;
  if (!dev) {
    const head = dot > 0 ? key.slice(0, dot) : key;
    return `'${key}': no device '${head}' on this bench${didYouMean(head, [...devices, 'ambient'])} (stimuli are 'ambient' or <device>.<input>; devices: ${devices.join(', ')})`;
  }
  const input = key.slice(dot + 1);
  const inputs = dev.inputNames();
  if (!inputs.includes(input) && !(dev.type === 'bms' && input === 'ambientC')) {
    return `device '${dev.name}' has no input '${input}'${didYouMean(input, inputs)} (it takes: ${inputs.join(', ')})`;
  }
  return undefined;
}

/** Why a signal is unknown on this bench, naming what is close (device signals, buses, DBC messages and signals). */
function signalHint(inst: BenchInstance, signal: string): string {
  const parts = signal.split('.');
  const head = parts[0]!;
  const devices = [...inst.devices.keys()];
  const dev = inst.devices.get(head);
  if (dev) {
    const sub = parts.slice(1).join('.');
    const names = dev.signalNames();
    return `unknown signal '${signal}': device '${head}' has no signal '${sub}'${didYouMean(sub, names)} (it has e.g. ${names.slice(0, 12).join(', ')}, ...)`;
  }
  if (head === 'can') {
    const buses = [...inst.can.keys()];
    const bus = inst.can.get(parts[1] ?? '');
    if (!bus) return `unknown signal '${signal}': no CAN bus '${parts[1] ?? ''}'${didYouMean(parts[1] ?? '', buses)} (buses: ${buses.join(', ') || 'none'})`;
    const db = bus.wire?.db;
    const msgName = parts[2] ?? '';
    if (!db) return `unknown signal '${signal}': bus '${bus.name}' has no DBC (only can.${bus.name}.frames; give the bus a 'dbc:' in the bench)`;
    const msg = db.findMessage(msgName);
    if (!msg || parts.length < 4) {
      const names = db.messages.map((m) => m.name);
      return `unknown signal '${signal}': no message '${msgName}' in the DBC of bus '${bus.name}'${didYouMean(msgName, [...names, 'frames'])} (messages: ${names.join(', ')}; or can.${bus.name}.frames)`;
    }
    const sig = parts.slice(3).join('.');
    const sigs = msg.signals.map((s) => s.name);
    return `unknown signal '${signal}': message '${msg.name}' has no signal '${sig}'${didYouMean(sig, [...sigs, 'count', 'age'])} (signals: ${sigs.join(', ')}; also count, age)`;
  }
  if (head === 'modbus') {
    const eps = [...inst.modbus.keys()];
    const ep = parts.slice(1, -1).join('.');
    const what = parts[parts.length - 1] ?? '';
    const figures = ['writes', 'illegalWrites', 'rejectedWrites', 'requests'];
    if (!inst.modbus.has(ep)) return `unknown signal '${signal}': no Modbus endpoint '${ep}'${didYouMean(ep, eps)} (endpoints: ${eps.join(', ') || 'none'})`;
    return `unknown signal '${signal}': endpoint '${ep}' has no figure '${what}'${didYouMean(what, figures)} (figures: ${figures.join(', ')})`;
  }
  return `unknown signal '${signal}': no device '${head}'${didYouMean(head, [...devices, 'can', 'modbus', 't'])} (devices: ${devices.join(', ')}; also can.<bus>.frames|<Message>.<Signal>, modbus.<ep>.writes|illegalWrites|rejectedWrites|requests, t)`;
}

function numeric(v: number | boolean | undefined): number | undefined {
  return typeof v === 'boolean' ? (v ? 1 : 0) : v;
}
