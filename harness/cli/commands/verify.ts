import type { Command } from 'commander';
import { ExitCode } from '../../../core/errors';
import { CHECKSUM_FILE, verifyChecksums } from '../../campaign/checksums';

/** `hil verify`: check an evidence folder against its SHA256SUMS. */
export function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description(`check an evidence folder (hil run/campaign --out) against its ${CHECKSUM_FILE}: reports every file changed, missing or added (exit 0 intact, 1 mismatch, 2 bad input)`)
    .argument('<dir>', 'the evidence folder')
    .action((dir: string) => {
      const r = verifyChecksums(dir);
      const out = process.stdout;
      for (const f of r.changed) out.write(`CHANGED  ${f}\n`);
      for (const f of r.missing) out.write(`MISSING  ${f}\n`);
      for (const f of r.added) out.write(`ADDED    ${f}\n`);
      if (r.ok) out.write(`${dir}: ${r.checked} file(s) intact\n`);
      else out.write(`${dir}: ${r.changed.length} changed, ${r.missing.length} missing, ${r.added.length} added (of ${r.checked} listed)\n`);
      process.exitCode = r.ok ? ExitCode.PASSED : ExitCode.FAILED;
    });
}
