/**
 * `make bench`: runs every benchmark in bench/ (or those named on the command line),
 * prints each figure with its same-run baseline, the ratio and the goal as it goes, then a
 * table of all of them with each goal marked met or not, and writes bench/report.json and
 * the chart bench/report.png (bench/report.ts).
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { BenchFigure, Benchmark } from './harness.js';
import { formatNumber as fmt, renderChart, summaryTable } from './report.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => /\.bench\.js$/.test(f))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();

const report: Record<string, BenchFigure[]> = {};
let failures = 0;
for (const file of files) {
  const mod = (await import(path.join(here, file))) as { default: Benchmark };
  const bench = mod.default;
  process.stdout.write(`\n== ${bench.name}\n`);
  let figures: BenchFigure[];
  try {
    figures = await bench.run();
  } catch (err) {
    failures++;
    process.stdout.write(`  FAILED: ${(err as Error).message}\n`);
    continue;
  }
  for (const f of figures) {
    if (f.baseline && f.ratio === undefined) f.ratio = f.value / f.baseline.value;
    const base = f.baseline ? `  vs ${f.baseline.name}: ${fmt(f.baseline.value)} ${f.unit}  ratio ${fmt(f.ratio!)}` : '';
    const goal = f.goal ? `  goal ${f.goal}: ${f.met ? 'met' : 'NOT met'}` : '';
    process.stdout.write(`  ${f.name}: ${fmt(f.value)} ${f.unit}${base}${goal}\n`);
  }
  report[bench.name] = figures;
}
const out = path.join(here, '../../bench');
writeFileSync(path.join(out, 'report.json'), JSON.stringify(report, null, 2) + '\n');
process.stdout.write(`\n${summaryTable(report)}`);
const chart = await renderChart(report);
if ('png' in chart) writeFileSync(path.join(out, 'report.png'), chart.png);
process.stdout.write(
  `\nwritten bench/report.json${'png' in chart ? ' and bench/report.png' : ` (no chart: ${chart.missing})`}${failures ? ` (${failures} benchmark(s) failed)` : ''}\n`,
);
process.exitCode = failures ? 1 : 0;
