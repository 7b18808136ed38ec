// Bus traces record what crossed each sim bus, in order, in the documented line format.
import t from 'tap';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileBusTrace, memoryBusTrace, parseBusTrace } from '../../hal/sim/trace.js';
import { SimI2cBus } from '../../hal/sim/i2c.js';
import { SimSpiBus } from '../../hal/sim/spi.js';
import { SimGpioController } from '../../hal/sim/gpio.js';
import { createSimSerialPair } from '../../hal/sim/serial.js';

t.test('each bus kind records its fields', async (t) => {
  const trace = memoryBusTrace();
  const i2c = new SimI2cBus({ name: 'i2c1', trace });
  let reg = 0;
  i2c.attach(0x27, { i2cWrite: (d) => void (reg = d[0]!), i2cRead: (n) => new Uint8Array(n).fill(reg) });
  const dev = await i2c.open(0x27);
  await dev.write(Uint8Array.of(0x5a));
  await dev.read(2);
  const spi = new SimSpiBus({ name: 'spi0', trace });
  spi.attach(0, { exchange: (tx) => tx.map((b) => b ^ 0xff) });
  await (await spi.open(0, { mode: 0, speedHz: 1e6 })).transfer([{ tx: Uint8Array.of(1, 2) }]);
  const gpio = new SimGpioController({ trace });
  const out = await gpio.open('GPIO5', { direction: 'out', initial: 1 });
  const input = await gpio.open('GPIO6', { direction: 'in' });
  gpio.pin('GPIO6').drive(1);
  await input.read();
  const { driver, device } = createSimSerialPair({ name: 'ttyPrinter', trace });
  device.onData(() => undefined);
  driver.onData(() => undefined);
  await driver.write(Uint8Array.of(0x1b, 0x40));
  await driver.drain();
  await device.write(Uint8Array.of(0x12));
  await device.drain();
  await out.close();
  const rows = trace.entries.map(({ t: _t, ...rest }) => rest);
  t.same(rows, [
    { bus: 'i2c1', addr: 0x27, op: 'write', data: '5A' },
    { bus: 'i2c1', addr: 0x27, op: 'read', data: '5A5A' },
    { bus: 'spi0', cs: 0, op: 'transfer', tx: '0102', rx: 'FEFD' },
    { bus: 'gpio', line: 'GPIO5', op: 'set', value: 1 },
    { bus: 'gpio', line: 'GPIO6', op: 'edge', value: 1 },
    { bus: 'gpio', line: 'GPIO6', op: 'get', value: 1 },
    { bus: 'ttyPrinter', op: 'write', data: '1B40' },
    { bus: 'ttyPrinter', op: 'read', data: '12' },
  ]);
  const times = trace.entries.map((e) => e.t);
  t.same(times, [...times].sort((a, b) => a - b), 'timestamps never go backwards');
});

t.test('a file trace is one JSON object per line and parses back', async (t) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'trace-')), 'bus.jsonl');
  const trace = fileBusTrace(file);
  const i2c = new SimI2cBus({ name: 'i2c1', trace });
  i2c.attach(0x20, { i2cWrite: () => undefined, i2cRead: (n) => new Uint8Array(n) });
  await (await i2c.open(0x20)).write(Uint8Array.of(1, 2, 3));
  trace.close();
  const text = readFileSync(file, 'utf8');
  t.equal(text.trim().split('\n').length, 1);
  const [entry] = parseBusTrace(text);
  t.match(entry, { bus: 'i2c1', addr: 0x20, op: 'write', data: '010203' });
  t.type(entry!.t, 'number');
});
