// The training switch lives in the configuration store: it survives a restart and each
// change is in the configuration history with the operator who made it.
import t from 'tap';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigStore } from '../../src/config/store.js';
import { HISTORY_FILE } from '../../src/config/history.js';
import { configTrainingSetting } from '../../src/app/services.js';

t.test('training mode: off by default, persisted, changes recorded with the operator', async (t) => {
  const dir = t.testdir();
  const training = configTrainingSetting(await ConfigStore.open(dir));
  t.equal(training.get(), false);
  await training.set(true, 'admin-test');
  t.equal(training.get(), true);
  t.equal(configTrainingSetting(await ConfigStore.open(dir)).get(), true, 'after a restart');
  await training.set(false, 'admin-test');
  t.equal(configTrainingSetting(await ConfigStore.open(dir)).get(), false);
  const history = (await readFile(path.join(dir, HISTORY_FILE), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { key: string; by: string });
  t.same(history.map((h) => [h.key, h.by]), [['app.trainingMode', 'keypad:admin-test'], ['app.trainingMode', 'keypad:admin-test']]);
});
