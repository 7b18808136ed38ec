// `make soak`: the bounded reliability campaign (issue 11). Prints the seed first;
// POS_SOAK_SEED replays one, POS_SOAK_TXNS sets the length (default 3000). Run with the
// TypeScript import hook: node --import=@tapjs/typescript/import test/soak/soak.ts
import { randomInt } from 'node:crypto';
import { printReport, runSoak } from './soak-run.js';


const tsHook = process.execArgv.find((a) => a.includes('@tapjs/typescript')) ?? '--import=@tapjs/typescript/import';
const seed = process.env.POS_SOAK_SEED ? Number(process.env.POS_SOAK_SEED) : randomInt(0, 2 ** 31);
const txns = Number(process.env.POS_SOAK_TXNS ?? 3000);
if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(txns) || txns < 1) {
  process.stderr.write('POS_SOAK_SEED and POS_SOAK_TXNS must be whole numbers\n');
  process.exit(2);
}
process.stdout.write(`soak seed ${seed} (replay: POS_SOAK_SEED=${seed})\n`);
try {
  const report = await runSoak({ seed, txns, tsHook, log: (l) => process.stdout.write(l + '\n') });
  printReport(report, (l) => process.stdout.write(l + '\n'));
  process.exitCode = report.ok ? 0 : 1;
} catch (err) {
  process.stderr.write(`soak aborted (seed ${seed}): ${(err as Error).message}\n`);
  process.exitCode = 1;
}
