/**
 * The `make bench` report for a person: a table with every figure, its same-run baseline,
 * the ratio and the goal marked met or not, and a chart (PNG) drawn with Chart.js on
 * @napi-rs/canvas: one panel per group of comparable figures (value against its baseline),
 * one per figure that carries per-run samples (their distribution), and one per named
 * series (`chart.panel`, e.g. settlement time against batch size).
 */
import type { BenchFigure } from './harness.js';

export type BenchReport = Record<string, BenchFigure[]>;

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en') : n.toPrecision(3);
}

/** The closing table: one row per figure; goals marked `met` / `NOT met`, and a count. */
export function summaryTable(report: BenchReport): string {
  const rows: string[][] = [['benchmark', 'figure', 'value', 'baseline', 'ratio', 'goal', '']];
  let met = 0;
  let missed = 0;
  for (const [bench, figures] of Object.entries(report)) {
    for (const f of figures) {
      const ratio = f.ratio ?? (f.baseline ? f.value / f.baseline.value : undefined);
      if (f.goal !== undefined && f.met === true) met++;
      else if (f.goal !== undefined) missed++;
      rows.push([
        clip(bench, 28),
        clip(f.name, 56),
        `${formatNumber(f.value)} ${f.unit}`,
        f.baseline ? `${formatNumber(f.baseline.value)} (${clip(f.baseline.name, 30)})` : '',
        ratio !== undefined ? formatNumber(ratio) : '',
        f.goal ?? '',
        f.goal === undefined ? '' : f.met ? 'met' : 'NOT met',
      ]);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
  out.push('', `goals: ${met} met, ${missed} not met`);
  return out.join('\n') + '\n';
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, n - 1) + '…';
}

/** One chart panel, independent of the drawing library. */
export interface Panel {
  title: string;
  kind: 'bars' | 'histogram' | 'series';
  unit: string;
  labels: string[];
  datasets: { label: string; data: number[] }[];
}

/** Splits a report into panels (pure: tested without a canvas). */
export function panels(report: BenchReport): Panel[] {
  const out: Panel[] = [];
  const series = new Map<string, Panel>();
  for (const [bench, figures] of Object.entries(report)) {
    const compared = new Map<string, BenchFigure[]>();
    for (const f of figures) {
      if (f.samples && f.samples.length > 1) out.push(histogram(`${bench}: ${f.name}`, f.unit, f.samples));
      if (f.chart) {
        const key = `${f.chart.panel}|${f.unit}`;
        let p = series.get(key);
        if (!p) {
          p = { title: `${f.chart.panel} (${f.unit})`, kind: 'series', unit: f.unit, labels: [], datasets: [{ label: 'measured', data: [] }, { label: f.baseline?.name ?? 'baseline', data: [] }] };
          series.set(key, p);
          out.push(p);
        }
        p.labels.push(f.chart.x);
        p.datasets[0]!.data.push(f.value);
        p.datasets[1]!.data.push(f.baseline?.value ?? NaN);
        continue;
      }
      if (!f.baseline) continue;
      const group = compared.get(f.unit) ?? [];
      group.push(f);
      compared.set(f.unit, group);
    }
    for (const [unit, group] of compared) {
      out.push({
        title: `${bench} (${unit})`,
        kind: 'bars',
        unit,
        labels: group.map((f) => clip(f.name, 48)),
        datasets: [
          { label: 'measured', data: group.map((f) => f.value) },
          { label: 'same-run baseline', data: group.map((f) => f.baseline!.value) },
        ],
      });
    }
  }
  return out;
}

function histogram(title: string, unit: string, samples: number[], bins = 30): Panel {
  const sorted = [...samples].sort((a, b) => a - b);
  // The top 0.5% would stretch the axis over nothing: they go into the last bin.
  const lo = sorted[0]!;
  const hi = sorted[Math.max(0, Math.floor(sorted.length * 0.995) - 1)]!;
  const width = (hi - lo) / bins || 1;
  const counts = new Array<number>(bins).fill(0);
  for (const v of sorted) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]!++;
  return {
    title: `${title}: distribution of ${samples.length} runs`,
    kind: 'histogram',
    unit,
    labels: counts.map((_, i) => formatNumber(lo + (i + 0.5) * width)),
    datasets: [{ label: `runs per ${formatNumber(width)} ${unit}`, data: counts }],
  };
}

const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728'];

/** Draws the panels into one PNG (two columns). Resolves with the reason when it cannot draw here. */
export async function renderChart(report: BenchReport): Promise<{ png: Uint8Array } | { missing: string }> {
  let canvasMod: typeof import('@napi-rs/canvas');
  let chartMod: typeof import('chart.js');
  try {
    [canvasMod, chartMod] = await Promise.all([import('@napi-rs/canvas'), import('chart.js')]);
  } catch (err) {
    return { missing: `chart libraries not loadable (${(err as Error).message})` };
  }
  const { Chart, registerables } = chartMod;
  Chart.register(...registerables);
  const all = panels(report);
  const W = 720;
  const H = 400;
  const cols = 2;
  const sheet = canvasMod.createCanvas(W * cols, H * Math.max(1, Math.ceil(all.length / cols)));
  const sctx = sheet.getContext('2d');
  sctx.fillStyle = '#ffffff';
  sctx.fillRect(0, 0, sheet.width, sheet.height);
  for (const [i, p] of all.entries()) {
    const c = canvasMod.createCanvas(W, H);
    const ctx = c.getContext('2d');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, W, H);
    const chart = new Chart(ctx as unknown as ConstructorParameters<typeof Chart>[0], {
      type: p.kind === 'series' ? 'line' : 'bar',
      data: {
        labels: p.labels,
        datasets: p.datasets.map((d, k) => ({ label: d.label, data: d.data, backgroundColor: COLOURS[k % COLOURS.length]!, borderColor: COLOURS[k % COLOURS.length]! })),
      },
      options: {
        responsive: false,
        animation: false,
        indexAxis: p.kind === 'bars' ? 'y' : 'x',
        plugins: { title: { display: true, text: clip(p.title, 90) } },
        scales: { [p.kind === 'bars' ? 'x' : 'y']: { beginAtZero: true, title: { display: true, text: p.kind === 'histogram' ? 'runs' : p.unit } } },
      },
    });
    sctx.drawImage(c, (i % cols) * W, Math.floor(i / cols) * H);
    chart.destroy();
  }
  return { png: await sheet.encode('png') };
}
