// Wires a PN532 model to the real driver over a sim bus (SPI, I2C or HSU) for the tests.
import { SimI2cBus } from '../../../hal/sim/i2c.js';
import { createSimSerialPair } from '../../../hal/sim/serial.js';
import { SimSpiBus } from '../../../hal/sim/spi.js';
import { memoryBusTrace, type BusTrace, type TraceEntry } from '../../../hal/sim/trace.js';
import { Pn532Model, type Pn532ModelOptions } from '../../../hal/devices/pn532/pn532.sim.js';
import { Pn532Reader, type Pn532Options } from '../../../hal/devices/pn532/pn532.js';
import { HsuPn532Transport, I2cPn532Transport, SpiPn532Transport } from '../../../hal/devices/pn532/pn532-transport.js';
import { PN532_I2C_ADDRESS, type Pn532Interface, type Pn532Transport } from '../../../hal/devices/pn532/pn532-transport.js';
import { HANG_MS } from '../../until.js';

export const BUSES: readonly Pn532Interface[] = ['spi', 'i2c', 'hsu'];

export interface Rig {
  model: Pn532Model;
  transport: Pn532Transport;
  trace: BusTrace & { entries: TraceEntry[] };
  close(): Promise<void>;
}

/** A model on a sim bus and a transport for the driver; nothing is sent yet. */
export async function rig(kind: Pn532Interface, options: Pn532ModelOptions = {}): Promise<Rig> {
  const model = new Pn532Model(options);
  const trace = memoryBusTrace();
  if (kind === 'spi') {
    const bus = new SimSpiBus({ name: 'spi0', trace });
    bus.attach(0, model.spiTarget());
    const dev = await bus.open(0, { mode: 0, speedHz: 1_000_000 });
    return { model, trace, transport: new SpiPn532Transport(dev, { pollIntervalMs: 1 }), close: () => bus.close() };
  }
  if (kind === 'i2c') {
    const bus = new SimI2cBus({ name: 'i2c1', trace });
    bus.attach(PN532_I2C_ADDRESS, model.i2cTarget());
    const dev = await bus.open(PN532_I2C_ADDRESS);
    return { model, trace, transport: new I2cPn532Transport(dev, { pollIntervalMs: 1 }), close: () => bus.close() };
  }
  const pair = createSimSerialPair({ name: 'ttyS0', trace });
  model.attachSerial(pair.device);
  return { model, trace, transport: new HsuPn532Transport(pair.driver), close: () => pair.device.close() };
}

/**
 * A model, a rig and an opened reader. The model ACKs and answers every command it gets, so
 * the ACK and command time limits only bound a hang (HANG_MS): a loaded host must not turn
 * a late ACK into "no ACK". Tests of a lost frame or response set a short limit themselves.
 */
export async function openReader(
  kind: Pn532Interface,
  options: Pn532ModelOptions = {},
  readerOptions: Omit<Pn532Options, 'transport'> = {},
): Promise<Rig & { reader: Pn532Reader }> {
  const r = await rig(kind, options);
  const reader = await Pn532Reader.open({
    transport: r.transport,
    pollIntervalMs: 1,
    maxRetries: 2,
    ackTimeoutMs: HANG_MS,
    commandTimeoutMs: HANG_MS,
    ...readerOptions,
  });
  return {
    ...r,
    reader,
    close: async () => {
      await reader.close();
      await r.close();
    },
  };
}

export { echoCard } from '../../conformance/contactless.js';
