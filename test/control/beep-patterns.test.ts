// Naming what the buzzer line did after the Indicator role's patterns (hal/roles/indicator.ts:
// success one beep of at least 100 ms, error three short beeps, key one click of at least
// 20 ms, attention two long beeps), with the lengths of hal/devices/buzzer/patterns.ts and
// beeps measured longer than played, as late timers on a loaded machine make them.
import t from 'tap';
import { BeepNamer } from '../../src/board/beep-patterns.js';

async function name(beeps: [start: number, duration: number][]): Promise<string[]> {
  const out: string[] = [];
  const namer = new BeepNamer((p) => out.push(p));
  for (const [start, duration] of beeps) namer.beep(start, duration);
  await new Promise((r) => setTimeout(r, 1200));
  namer.close();
  return out;
}

t.test('the four patterns as played', async (t) => {
  t.same(await name([[0, 100]]), ['success']);
  t.same(await name([[0, 20]]), ['key']);
  t.same(await name([[0, 60], [120, 60], [240, 60]]), ['error']);
  t.same(await name([[0, 400], [600, 400]]), ['attention']);
});

t.test('measured longer than played (late timers)', async (t) => {
  t.same(await name([[0, 55]]), ['key'], 'a 20 ms click measured at 55 ms is no error (that takes three beeps)');
  t.same(await name([[0, 140]]), ['success']);
  t.same(await name([[0, 75], [170, 80], [330, 70]]), ['error']);
});

t.test('patterns in a row, and what no pattern explains', async (t) => {
  t.same(await name([[0, 20], [150, 20], [300, 100]]), ['key', 'key', 'success']);
  t.same(await name([[0, 900]]), ['beep 900ms']);
  t.same(await name([[0, 60], [120, 60]]), ['beep 60ms 60ms'], 'two of the three error beeps');
});
