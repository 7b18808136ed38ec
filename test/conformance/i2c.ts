/**
 * I2C contract conformance (hal/i2c.ts), run against every backend that claims it:
 * the sim bus in `make test`, /dev/i2c-N in `make test-hw BOARD=...`.
 */
import type { Test } from 'tap';
import type { I2cBus } from '../../hal/i2c.js';

export interface I2cFixtures {
  /** An address where a device ACKs a 1-byte write and a 1-byte read (e.g. a PCF8574 backpack). */
  presentAddress: number;
  /** An address where nothing is fitted. */
  absentAddress: number;
  /** An address whose device never answers (sim only: proves the time limit). */
  stallAddress?: number;
}

export interface I2cSuiteOptions {
  name: string;
  factory: () => Promise<I2cBus>;
  fixtures: I2cFixtures;
}

export function i2cConformance(t: Test, { name, factory, fixtures }: I2cSuiteOptions): void {
  t.test(`${name}: I2C contract`, async (t) => {
    t.test('a present device takes a write and answers a read of the asked length', async (t) => {
      const bus = await factory();
      const dev = await bus.open(fixtures.presentAddress);
      t.equal(dev.address, fixtures.presentAddress);
      await dev.write(Uint8Array.of(0xff));
      const data = await dev.read(1);
      t.equal(data.length, 1);
      const combined = await dev.writeRead(Uint8Array.of(0xff), 1);
      t.equal(combined.length, 1, 'writeRead works whatever capabilities.repeatedStart says');
      await bus.close();
    });

    t.test('an absent address NACKs writes and reads', async (t) => {
      const bus = await factory();
      const dev = await bus.open(fixtures.absentAddress);
      await t.rejects(dev.write(Uint8Array.of(0)), { code: 'HAL_NACK' });
      await t.rejects(dev.read(1), { code: 'HAL_NACK' });
      await bus.close();
    });

    t.test('addresses outside 0x03..0x77 are refused', async (t) => {
      const bus = await factory();
      await t.rejects(bus.open(0x78), { code: 'HAL_INVALID_ARGUMENT' });
      await t.rejects(bus.open(-1), { code: 'HAL_INVALID_ARGUMENT' });
      await t.rejects(bus.open(0x02), { code: 'HAL_INVALID_ARGUMENT' });
      await bus.close();
    });

    t.test('a read of length 0 or beyond the maximum is refused', async (t) => {
      const bus = await factory();
      const dev = await bus.open(fixtures.presentAddress);
      await t.rejects(dev.read(0), { code: 'HAL_INVALID_ARGUMENT' });
      await t.rejects(dev.read(bus.capabilities.maxTransferLength + 1), { code: 'HAL_INVALID_ARGUMENT' });
      await bus.close();
    });

    t.test('calls after close reject with HAL_CLOSED', async (t) => {
      const bus = await factory();
      const dev = await bus.open(fixtures.presentAddress);
      await dev.close();
      await t.rejects(dev.write(Uint8Array.of(1)), { code: 'HAL_CLOSED' });
      const dev2 = await bus.open(fixtures.presentAddress);
      await bus.close();
      await t.rejects(dev2.read(1), { code: 'HAL_CLOSED' }, 'closing the bus closes its devices');
      await t.rejects(bus.open(fixtures.presentAddress), { code: 'HAL_CLOSED' });
    });

    t.test('an aborted signal cancels the call', async (t) => {
      const bus = await factory();
      const dev = await bus.open(fixtures.presentAddress);
      const ac = new AbortController();
      ac.abort();
      await t.rejects(dev.write(Uint8Array.of(0xff), { signal: ac.signal }), { code: 'HAL_ABORTED' });
      await bus.close();
    });

    if (fixtures.stallAddress !== undefined) {
      const stall = fixtures.stallAddress;
      t.test('a device that never answers times out, and the bus goes on working', async (t) => {
        const bus = await factory();
        const dev = await bus.open(stall);
        await t.rejects(dev.read(1, { timeoutMs: 30 }), { code: 'HAL_TIMEOUT' });
        const ok = await bus.open(fixtures.presentAddress);
        await ok.write(Uint8Array.of(0xff));
        t.pass('next transaction completes');
        await bus.close();
      });

      t.test('closing the bus settles a call in flight with HAL_CLOSED', async (t) => {
        const bus = await factory();
        const dev = await bus.open(stall);
        const pending = dev.read(1, { timeoutMs: 5000 });
        await new Promise((r) => setTimeout(r, 10));
        await bus.close();
        await t.rejects(pending, { code: 'HAL_CLOSED' });
      });
    }
  });
}
