/** SPI contract conformance (hal/spi.ts). */
import type { Test } from 'tap';
import type { SpiBus } from '../../hal/spi.js';

export interface SpiFixtures {
  /** A chip select that exists on the bus. */
  chipSelect: number;
  /** A chip select that does not exist (no spidev node). */
  absentChipSelect: number;
  /** A chip select whose MISO is wired to MOSI (sim: a loopback model; device: a jumper). */
  loopbackChipSelect?: number;
}

export interface SpiSuiteOptions {
  name: string;
  factory: () => Promise<SpiBus>;
  fixtures: SpiFixtures;
}

export function spiConformance(t: Test, { name, factory, fixtures }: SpiSuiteOptions): void {
  t.test(`${name}: SPI contract`, async (t) => {
    t.test('a transfer returns as many bytes per segment as were sent', async (t) => {
      const bus = await factory();
      const dev = await bus.open(fixtures.chipSelect, { mode: 0, speedHz: 1_000_000 });
      t.equal(dev.mode, 0);
      t.equal(dev.speedHz, 1_000_000);
      const rx = await dev.transfer([{ tx: Uint8Array.of(1, 2, 3) }, { length: 5 }]);
      t.same(rx.map((r) => r.length), [3, 5]);
      await bus.close();
    });

    if (fixtures.loopbackChipSelect !== undefined) {
      const cs = fixtures.loopbackChipSelect;
      t.test('full duplex: a loopback receives what it sends, in order', async (t) => {
        const bus = await factory();
        const dev = await bus.open(cs, { mode: 0, speedHz: 500_000 });
        const tx = Uint8Array.from({ length: 64 }, (_, i) => (i * 7) & 0xff);
        const [rx] = await dev.transfer([{ tx }]);
        t.same([...rx!], [...tx]);
        await bus.close();
      });
    }

    t.test('a chip select that does not exist is HAL_NOT_FOUND', async (t) => {
      const bus = await factory();
      await t.rejects(bus.open(fixtures.absentChipSelect, { mode: 0, speedHz: 1_000_000 }), { code: 'HAL_NOT_FOUND' });
      await bus.close();
    });

    t.test('bad mode, speed or empty transfers are refused', async (t) => {
      const bus = await factory();
      await t.rejects(bus.open(fixtures.chipSelect, { mode: 7 as 0, speedHz: 1_000_000 }), { code: 'HAL_INVALID_ARGUMENT' });
      await t.rejects(bus.open(fixtures.chipSelect, { mode: 0, speedHz: 0 }), { code: 'HAL_INVALID_ARGUMENT' });
      const dev = await bus.open(fixtures.chipSelect, { mode: 0, speedHz: 1_000_000 });
      await t.rejects(dev.transfer([]), { code: 'HAL_INVALID_ARGUMENT' });
      await t.rejects(dev.transfer([{ length: bus.capabilities.maxTransferLength + 1 }]), { code: 'HAL_INVALID_ARGUMENT' });
      await bus.close();
    });

    t.test('calls after close reject with HAL_CLOSED', async (t) => {
      const bus = await factory();
      const dev = await bus.open(fixtures.chipSelect, { mode: 0, speedHz: 1_000_000 });
      await dev.close();
      await t.rejects(dev.transfer([{ length: 1 }]), { code: 'HAL_CLOSED' });
      await bus.close();
      await t.rejects(bus.open(fixtures.chipSelect, { mode: 0, speedHz: 1_000_000 }), { code: 'HAL_CLOSED' });
    });
  });
}
