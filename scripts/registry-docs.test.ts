import { readFileSync } from 'node:fs';
import { packagePath } from '../core/package-root';
import { BMS_FAULTS } from '../emulators/bms/faults';
import { registerBmsProtocol } from '../emulators/bms/profiles/registry';
import { jkCanProtocol } from '../emulators/bms/profiles/jk-can/protocol';
import { protocolsDoc, registryDocs, replaceBlock } from './registry-docs';

describe('docs generated from the registries', () => {
  it('are up to date (npm run docs:registries writes them)', () => {
    for (const d of registryDocs()) {
      expect({ path: d.path, upToDate: readFileSync(packagePath(d.path), 'utf8') === d.text }).toEqual({ path: d.path, upToDate: true });
    }
  });

  it('list every fault kind and every protocol, a new protocol included', () => {
    const faults = registryDocs().find((d) => d.path === 'docs/faults.md')!.text;
    for (const k of BMS_FAULTS.kinds) expect(faults).toContain(`| \`${k}\` |`);
    const unregister = registerBmsProtocol({ ...jkCanProtocol, name: 'doc-toy', description: 'a toy for this test' });
    try {
      expect(protocolsDoc()).toContain('| `doc-toy` | can | a toy for this test |');
    } finally {
      unregister();
    }
    expect(protocolsDoc()).not.toContain('doc-toy');
  });

  it('replace only their own block', () => {
    expect(replaceBlock('a\n<!-- generated:x -->\nold\n<!-- /generated:x -->\nb', 'x', 'new')).toBe('a\n<!-- generated:x -->\nnew\n<!-- /generated:x -->\nb');
    expect(() => replaceBlock('no block', 'x', 'new')).toThrow(/no <!-- generated:x -->/);
  });
});
