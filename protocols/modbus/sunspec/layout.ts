/**
 * Register layout of one SunSpec model instance: every point's offset (from the model's `ID` register), type, size,
 * scale-factor reference and access, with repeating groups expanded. Point names are paths: `W` at the top level,
 * `PFWInj.PF` in a group that occurs once, `module[1].DCA` in a repeating group.
 */
import { ConfigError } from '../../../core/errors';
import type { SunSpecGroupDef, SunSpecModelDef, SunSpecPointDef, SunSpecPointType, SunSpecSymbolDef } from './model-def';
import { isKnownType, typeSize } from './point-codec';

export interface PointLayout {
  /** Path name, unique in the model (`W`, `module[0].DCA`). */
  readonly name: string;
  /** Name in the definition (`DCA`). */
  readonly pointName: string;
  readonly type: SunSpecPointType;
  /** Registers. */
  readonly size: number;
  /** Offset from the model's ID register (ID = 0, L = 1). */
  readonly offset: number;
  /** Path name of the sunssf point scaling this one, or a constant exponent. */
  readonly sf?: string | number;
  readonly access: 'R' | 'RW';
  readonly units?: string;
  readonly mandatory: boolean;
  readonly symbols?: readonly SunSpecSymbolDef[];
  readonly def: SunSpecPointDef;
}

export interface ModelLayout {
  readonly id: number;
  readonly name: string;
  /** Model length L: registers after ID and L. */
  readonly length: number;
  readonly points: readonly PointLayout[];
  /** Instances of each repeating group, by group path (`module`, `Crv[0].Pt`). */
  readonly groupCounts: ReadonlyMap<string, number>;
  /** For groups counted by a point: group path -> path of the count point (which the model keeps equal). */
  readonly countPoints: ReadonlyMap<string, string>;
  point(name: string): PointLayout | undefined;
}

export interface LayoutOptions {
  /**
   * Instances of repeating groups, by group name (`module`) or path (`Crv[1].Pt`); a path wins over a name. Groups
   * whose count is a point name or 0 need an entry (default 1 for a point-name count, 0 for a count of 0).
   */
  groupCounts?: Readonly<Record<string, number>>;
}

interface Scope {
  prefix: string;
  /** Point names visible in this scope -> path names, innermost first. */
  names: Map<string, string>;
  parent?: Scope;
}

function lookup(scope: Scope | undefined, name: string): string | undefined {
  for (let s = scope; s; s = s.parent) {
    const hit = s.names.get(name);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** Build the layout of a model definition. Throws `ConfigError` for definitions it cannot lay out. */
export function buildLayout(def: SunSpecModelDef, options: LayoutOptions = {}): ModelLayout {
  const counts = options.groupCounts ?? {};
  const points: PointLayout[] = [];
  const groupCounts = new Map<string, number>();
  const countPoints = new Map<string, string>();
  let offset = 0;
  const where = `SunSpec model ${def.id}`;

  const layGroup = (group: SunSpecGroupDef, prefix: string, parent: Scope | undefined): void => {
    const scope: Scope = { prefix, names: new Map(), parent };
    for (const p of group.points) scope.names.set(p.name, prefix + p.name);
    for (const p of group.points) {
      if (!isKnownType(p.type)) throw new ConfigError(`${where}: point ${prefix}${p.name} has unsupported type '${p.type}'`);
      const size = typeSize(p.type, p.size);
      if (size !== p.size) throw new ConfigError(`${where}: point ${prefix}${p.name} size ${p.size} does not fit type ${p.type}`);
      let sf: string | number | undefined;
      if (typeof p.sf === 'number') sf = p.sf;
      else if (typeof p.sf === 'string') {
        const asNumber = Number(p.sf);
        sf = Number.isInteger(asNumber) && p.sf.trim() !== '' ? asNumber : lookup(scope, p.sf);
        if (sf === undefined) throw new ConfigError(`${where}: point ${prefix}${p.name} refers to unknown scale factor '${p.sf}'`);
      }
      const layout: PointLayout = {
        name: prefix + p.name,
        pointName: p.name,
        type: p.type,
        size,
        offset,
        access: p.access === 'RW' ? 'RW' : 'R',
        mandatory: p.mandatory === 'M',
        def: p,
        ...(sf !== undefined ? { sf } : {}),
        ...(p.units !== undefined ? { units: p.units } : {}),
        ...(p.symbols !== undefined ? { symbols: p.symbols } : {}),
      };
      points.push(layout);
      offset += size;
    }
    for (const g of group.groups ?? []) {
      const path = prefix + g.name;
      if (g.count === undefined) {
        layGroup(g, `${path}.`, scope);
        continue;
      }
      let n: number;
      if (counts[path] !== undefined) n = counts[path]!;
      else if (counts[g.name] !== undefined) n = counts[g.name]!;
      else if (typeof g.count === 'number') n = g.count;
      else n = 1;
      if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${where}: group ${path} count ${n} is not a non-negative integer`);
      if (typeof g.count === 'string') {
        const countPoint = lookup(scope, g.count);
        if (countPoint === undefined) throw new ConfigError(`${where}: group ${path} count refers to unknown point '${g.count}'`);
        countPoints.set(path, countPoint);
      } else {
        // A repeating group sized by the model length (count 0) may still have a `count` point beside it (160 N).
        const counter = group.points.find((x) => x.type === 'count');
        if (counter) countPoints.set(path, prefix + counter.name);
      }
      groupCounts.set(path, n);
      for (let i = 0; i < n; i++) layGroup(g, `${path}[${i}].`, scope);
    }
  };

  layGroup(def.group, '', undefined);
  if (points[0]?.name !== 'ID' || points[1]?.name !== 'L') throw new ConfigError(`${where}: the first points must be ID and L`);
  const byName = new Map(points.map((p) => [p.name, p]));
  return {
    id: def.id,
    name: def.group.name,
    length: offset - 2,
    points,
    groupCounts,
    countPoints,
    point: (name) => byName.get(name),
  };
}
