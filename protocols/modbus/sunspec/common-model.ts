/**
 * Client side of SunSpec model 1 (Common): who a SunSpec server says it is. Discovery (`discoverSunSpec`), one block
 * read (`readBlock`), then the points decoded with the layout of the official definition (model_1.json: Mn, Md, Opt,
 * Vr, SN strings, DA uint16), so offsets and sizes come from the definition, not from this file.
 */
import { OperationError } from '../../../core/errors';
import { discoverSunSpec, readBlock, type Discovery, type ReadRegisters } from './discover';
import { buildLayout, type ModelLayout } from './layout';
import { loadModelDef } from './model-def';
import { decodeRaw } from './point-codec';

/** The points of model 1 a client reports, in the definition's order. */
export const COMMON_POINTS = ['Mn', 'Md', 'Opt', 'Vr', 'SN', 'DA'] as const;

/** Model 1 as read: point name -> value as text (strings trimmed, DA in decimal); points not implemented are absent. */
export type CommonModelValues = Partial<Record<(typeof COMMON_POINTS)[number], string>>;

/** What {@link readCommonModel} found: where the chain starts and the Common model's values. */
export interface CommonModelRead {
  /** Base address of the `SunS` marker (40000, 0 or 50000). */
  base: number;
  /** Address of model 1's ID register. */
  address: number;
  values: CommonModelValues;
}

let layout: ModelLayout | undefined;

function commonLayout(): ModelLayout {
  layout ??= buildLayout(loadModelDef(1));
  return layout;
}

/**
 * Find the chain (unless `discovery` is given) and read its first model 1. Rejects with `OperationError` when no base
 * answers `SunS` or the chain has no model 1, and with whatever `read` rejects with on I/O errors.
 */
export async function readCommonModel(read: ReadRegisters, discovery?: Discovery): Promise<CommonModelRead> {
  const d = discovery ?? (await discoverSunSpec(read));
  const m = d.models.find((x) => x.id === 1);
  if (!m) throw new OperationError(`SunSpec chain at ${d.base} has no Common model (1): models ${d.models.map((x) => x.id).join(',') || 'none'}`);
  const regs = await readBlock(read, m.address, m.length + 2);
  const values: CommonModelValues = {};
  for (const name of COMMON_POINTS) {
    const p = commonLayout().point(name);
    // A device may announce a shorter L than the definition: points beyond it are absent, not garbage.
    if (!p || p.offset + p.size > regs.length) continue;
    const v = decodeRaw(p.type, regs, p.offset, p.size);
    if (v === null) continue;
    const text = typeof v === 'string' ? v.trim() : String(v);
    if (text !== '') values[name] = text;
  }
  return { base: d.base, address: m.address, values };
}
