// Reads tap's TAP output (stdin) and prints the closing "N passed, N failed[, N skipped]"
// line the CI reads. Exits non-zero when anything failed or no test ran.
import { createInterface } from 'node:readline';

let summary;
const rl = createInterface({ input: process.stdin });
for await (const line of rl) {
  process.stdout.write(line + '\n');
  const m = /^# \{ (total: .*)\}\s*$/.exec(line);
  if (m) summary = m[1];
}
const num = (key) => Number((new RegExp(`\\b${key}: (\\d+)`).exec(summary ?? '') ?? [])[1] ?? 0);
const total = num('total');
const pass = num('pass');
const fail = num('fail');
const skip = num('skip') + num('todo');
const failed = fail || total - pass - skip;
process.stdout.write(`\n${pass} passed, ${failed} failed${skip ? `, ${skip} skipped` : ''}\n`);
process.exitCode = summary === undefined || total === 0 || failed > 0 ? 1 : 0;
