// The bench report: the table marks every goal met or not beside its figure, the panels
// group comparable figures, a distribution keeps every sample, and the chart is a PNG.
import t from 'tap';
import { panels, renderChart, summaryTable, type BenchReport } from '../../bench/report.js';

const report: BenchReport = {
  kernel: [
    { name: 'kernel CPU time per tap, p99', value: 0.8, unit: 'ms', baseline: { name: 'replay', value: 0.1 }, goal: 'p99 <= 1 ms', met: true, samples: [0.3, 0.31, 0.35, 0.4, 0.8, 0.33, 0.32] },
    { name: 'machine load', value: 1.5, unit: 'runnable tasks' },
  ],
  journal: [
    { name: 'settlement 1k', value: 12, unit: 'ms', baseline: { name: 'flat file', value: 10 }, goal: 'ratio <= 1.2', met: true, chart: { panel: 'settlement vs batch size', x: '1k' } },
    { name: 'settlement 10k', value: 130, unit: 'ms', baseline: { name: 'flat file', value: 100 }, goal: 'ratio <= 1.2', met: false, chart: { panel: 'settlement vs batch size', x: '10k' } },
    { name: 'append', value: 2000, unit: 'ops/s', baseline: { name: 'raw', value: 5000 } },
  ],
};

t.test('table: each goal beside its figure, met or NOT met, and the count', async (t) => {
  const table = summaryTable(report);
  const lines = table.split('\n');
  t.match(lines.find((l) => l.includes('settlement 10k')), /130 ms\s+100 \(flat file\)\s+1\.30\s+ratio <= 1\.2\s+NOT met$/);
  t.match(lines.find((l) => l.includes('per tap, p99')), /0\.800 ms.*p99 <= 1 ms\s+met$/);
  t.match(lines.find((l) => l.includes('machine load')), /1\.50 runnable tasks$/, 'a figure without a goal is not marked');
  t.match(table, /goals: 2 met, 1 not met\n$/);
});

t.test('panels: distributions, series by x, bars per unit', async (t) => {
  const ps = panels(report);
  const hist = ps.find((p) => p.kind === 'histogram')!;
  t.equal(hist.datasets[0]!.data.reduce((a, b) => a + b, 0), 7, 'every sample counted once');
  const series = ps.find((p) => p.kind === 'series')!;
  t.same(series.labels, ['1k', '10k']);
  t.same(series.datasets.map((d) => d.data), [[12, 130], [10, 100]]);
  const bars = ps.filter((p) => p.kind === 'bars').map((p) => p.title);
  t.same(bars.sort(), ['journal (ops/s)', 'kernel (ms)'], 'figures without a baseline are not drawn; series are not drawn twice');
});

t.test('chart: a PNG with two panel columns', async (t) => {
  const r = await renderChart(report);
  if (!('png' in r)) return t.fail(r.missing);
  const png = Buffer.from(r.png);
  t.same(png.subarray(0, 8), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'PNG signature');
  t.equal(png.readUInt32BE(16), 1440, 'IHDR width: two 720-pixel columns');
  t.equal(png.readUInt32BE(20), 800, 'IHDR height: four panels in two rows');
});
