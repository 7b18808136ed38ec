/**
 * Boot time: process start to the idle screen (`pos run` prints its ready line after the
 * self test and the idle screen), next to `node -e 0` measured in the same run,
 * interleaved; and the resident memory of the idle terminal.
 * Goals (foundation issue): at most 3x `node -e 0`; idle RSS at most 70 MB.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, type Benchmark } from './harness.js';

const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

function nodeE0(): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => resolve(performance.now() - t0));
  });
}

/** Starts `pos run`, resolves at its ready line with the time and the RSS, then stops it. */
function bootOnce(dataDir: string): Promise<{ ms: number; rssMb: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [cli, 'run', '--board', 'sim', '--data', dataDir, '--no-ui'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    let result: { ms: number; rssMb: number } | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (result === undefined && out.includes('pos: ready')) {
        const ms = performance.now() - t0;
        // Let the idle terminal settle before reading its memory.
        setTimeout(() => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
          const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
          result = { ms, rssMb: kb / 1024 };
          child.kill('SIGTERM');
        }, 300);
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (result && code === 0) resolve(result);
      else reject(new Error(`pos run exited ${code} before/after ready: ${out}${err}`));
    });
  });
}

const bench: Benchmark = {
  name: 'boot',
  async run() {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'pos-boot-'));
    try {
      await bootOnce(dataDir); // first boot creates the data folder's files
      const base: number[] = [];
      const boots: number[] = [];
      const rss: number[] = [];
      for (let i = 0; i < 10; i++) {
        base.push(await nodeE0());
        const b = await bootOnce(dataDir);
        boots.push(b.ms);
        rss.push(b.rssMb);
      }
      const bootMs = median(boots);
      const baseMs = median(base);
      const rssMb = median(rss);
      return [
        { name: 'boot to idle screen (sim board)', value: bootMs, unit: 'ms', baseline: { name: 'node -e 0', value: baseMs }, ratio: bootMs / baseMs, goal: 'ratio <= 3', met: bootMs / baseMs <= 3 },
        { name: 'idle RSS', value: rssMb, unit: 'MB', goal: '<= 70 MB', met: rssMb <= 70 },
      ];
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};

export default bench;
