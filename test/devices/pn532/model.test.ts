// The PN532 model on the wire, byte for byte, against the PN532 User Manual (UM0701-02)
// and the vectors of shared/reference/hardware.md 5.1-5.4. Raw bus handles play the host.
import t from 'tap';
import { reverseBits, reverseBitsInPlace } from '../../../hal/spi.js';
import { SimSpiBus } from '../../../hal/sim/spi.js';
import { SimI2cBus } from '../../../hal/sim/i2c.js';
import { createSimSerialPair } from '../../../hal/sim/serial.js';
import { ACK_FRAME, FrameParser, NACK_FRAME, encodeCommand, type ParseEvent } from '../../../hal/devices/pn532/frame.js';
import { Pn532Model } from '../../../hal/devices/pn532/pn532.sim.js';
import type { SimContactlessCard } from '../../../hal/roles/contactless.js';
import { echoCard } from './rig.js';

const h = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase().replace(/(..)(?!$)/g, '$1 ');
const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

const FW_CMD = '00 00 FF 02 FE D4 02 2A 00';
const FW_RSP = '00 00 FF 06 FA D5 03 32 01 06 07 E8 00';

/** The NTAG of nfcpy's InListPassiveTarget vector (hardware.md 5.1). */
const ntag: SimContactlessCard = {
  uid: h('04 16 C6 C2 D7 38 81'),
  atqa: h('00 44'),
  sak: 0x00,
  ats: new Uint8Array(0),
  transceive: () => h('6A 81'),
};

t.test('SPI (UM 6.2.5): LSB first on the wire, DW/SR/DR prefixes, ready bit', async (t) => {
  const model = new Pn532Model();
  const bus = new SimSpiBus({ name: 'spi0' });
  bus.attach(0, model.spiTarget());
  const dev = await bus.open(0, { mode: 0, speedHz: 1_000_000 });
  t.equal(model.asleep, true);
  await dev.transfer([{ length: 1 }]);
  t.equal(model.asleep, false, 'chip select low wakes the chip');

  // As an MSB-first controller clocks them: DW 01 -> 80, SR 02 -> 40, DR 03 -> C0 (hardware.md 5.2).
  t.equal(reverseBits(0x01), 0x80);
  const dw = reverseBitsInPlace(Uint8Array.of(0x01, ...h(FW_CMD)));
  t.equal(dw[0], 0x80);
  await dev.transfer([{ tx: dw }]);
  const status = async (): Promise<number> => {
    const [rx] = await dev.transfer([{ tx: Uint8Array.of(0x40, 0x00) }]);
    return rx![1]!;
  };
  while ((await status()) === 0x00) await tick();
  t.equal(await status(), 0x80, 'ready: status 01 arrives as 80');
  const read = async (n: number): Promise<string> => {
    const [, rx] = await dev.transfer([{ tx: Uint8Array.of(0xc0) }, { length: n }]);
    return hex(reverseBitsInPlace(rx!));
  };
  t.equal(await read(6), '00 00 FF 00 FF 00', 'ACK first');
  while ((await status()) === 0x00) await tick();
  t.equal(await read(13), FW_RSP, 'GetFirmwareVersion answer');
  t.equal(await status(), 0x00, 'nothing more to read');

  // Mode 1 samples on the wrong edge: the chip sees nothing valid.
  const dev1 = await bus.open(0, { mode: 1, speedHz: 1_000_000 });
  await dev1.transfer([{ tx: dw }]);
  await tick(10);
  t.equal(await status(), 0x00, 'a frame sent in mode 1 gets no ACK');
  await bus.close();
});

t.test('I2C (UM 6.2.4): wake NACK, ready byte before every read, 1-byte poll keeps the frame', async (t) => {
  const model = new Pn532Model();
  const bus = new SimI2cBus({ name: 'i2c1' });
  bus.attach(0x24, model.i2cTarget());
  const dev = await bus.open(0x24);
  await t.rejects(dev.read(1), { code: 'HAL_NACK' }, 'the first transaction is not acknowledged while the chip wakes');
  await dev.write(h(FW_CMD));
  while ((await dev.read(1))[0] === 0x00) await tick();
  t.equal(hex(await dev.read(1)), '01', 'polling does not take the frame');
  t.equal(hex(await dev.read(7)), '01 00 00 FF 00 FF 00', 'ready byte then ACK');
  while ((await dev.read(1))[0] === 0x00) await tick();
  t.equal(hex(await dev.read(14)), `01 ${FW_RSP}`);
  t.equal(hex(await dev.read(3)), '00 00 00', 'not ready: status 00');
  await bus.close();
});

/** The host end of an HSU link to the model: send bytes, await frames. */
function hsuHost(model: Pn532Model) {
  const pair = createSimSerialPair({ name: 'ttyS0' });
  model.attachSerial(pair.device);
  const parser = new FrameParser();
  const events: ParseEvent[] = [];
  const raw: number[] = [];
  pair.driver.onData((c) => {
    raw.push(...c);
    events.push(...parser.push(c));
  });
  return {
    raw,
    /** Resolves once the model has the bytes (the link drained). */
    async send(b: Uint8Array): Promise<void> {
      await pair.driver.write(b);
      await pair.driver.drain();
    },
    async next(ms = 1000): Promise<ParseEvent> {
      const until = Date.now() + ms;
      while (events.length === 0) {
        if (Date.now() > until) throw new Error('no frame from the model');
        await tick(1);
      }
      return events.shift()!;
    },
    /** Sends a command; checks the ACK; returns the answer's data (after TFI). */
    async command(code: number, params: string): Promise<Uint8Array> {
      await pair.driver.write(encodeCommand(code, h(params)));
      const ack = await this.next();
      if (ack.kind !== 'ack') throw new Error(`expected ACK, got ${ack.kind}`);
      const r = await this.next();
      if (r.kind !== 'info') throw new Error(`expected a response, got ${r.kind}`);
      return r.data;
    },
    pending: () => events.length,
    close: () => pair.driver.close(),
  };
}

t.test('HSU (UM 6.2.3): nothing is heard before the 55 55 wake-up, then ACK + answer on the stream', async (t) => {
  const model = new Pn532Model();
  const host = hsuHost(model);
  await host.send(h(FW_CMD));
  await tick(20);
  t.equal(host.raw.length, 0, 'asleep: a frame without the wake-up preamble is lost');
  await host.send(Uint8Array.of(0x55, 0x55, 0x00, 0x00, 0x00, ...h(FW_CMD)));
  await host.next();
  await host.next();
  t.equal(hex(Uint8Array.from(host.raw)), `00 00 FF 00 FF 00 ${FW_RSP}`);
  await host.close();
});

t.test('command interpreter', async (t) => {
  const model = new Pn532Model({ asleep: false });
  const host = hsuHost(model);

  t.equal(hex(await host.command(0x14, '01 14 01')), '15', 'SAMConfiguration normal mode');
  t.equal(model.samMode, 1);

  await host.send(encodeCommand(0x14, h('07')));
  t.equal((await host.next()).kind, 'ack');
  t.equal((await host.next()).kind, 'error', 'SAMConfiguration mode 7: syntax error frame');
  await host.send(encodeCommand(0x5a, h('')));
  t.equal((await host.next()).kind, 'ack');
  t.equal((await host.next()).kind, 'error', 'an unknown command: syntax error frame');

  // Power-on MxRtyPassiveActivation is 0xFF: no answer until a card arrives (hardware.md risk 13).
  t.equal(model.passiveActivationRetries, 0xff);
  await host.send(encodeCommand(0x4a, h('01 00')));
  t.equal((await host.next()).kind, 'ack');
  await tick(30);
  t.equal(host.pending(), 0, 'retries 0xFF: still waiting');
  model.insertCard(ntag);
  const found = await host.next();
  t.equal(found.kind === 'info' ? hex(found.data) : found.kind, '4B 01 01 00 44 00 07 04 16 C6 C2 D7 38 81', 'the nfcpy NTAG vector');
  t.equal(hex(await host.command(0x52, '00')), '53 00', 'InRelease all');

  // Finite retries: no card -> NbTg 0 (the golden "no target" answer).
  model.removeCard();
  t.equal(hex(await host.command(0x32, '05 FF 01 02')), '33');
  t.equal(model.passiveActivationRetries, 2);
  t.equal(hex(await host.command(0x4a, '01 00')), '4B 00');

  // Two cards: MaxTg 1 -> the chip resolves the collision and lists one; MaxTg 2 -> both.
  const other = echoCard([0x08, 0x11, 0x22, 0x33]);
  model.insertCard(ntag);
  model.insertCard(other);
  t.equal(hex(await host.command(0x4a, '01 00')), '4B 01 01 00 44 00 07 04 16 C6 C2 D7 38 81');
  t.equal(hex(await host.command(0x4a, '02 00')), '4B 02 01 00 44 00 07 04 16 C6 C2 D7 38 81 02 00 44 20 04 08 11 22 33 05 78 80 70 02');

  // InDataExchange to target 2 (the ISO 14443-4 echo card); target 5 does not exist.
  t.equal(hex(await host.command(0x40, '02 00 A4 04 00 02 3F 00 00')), '41 00 3F 00 90 00');
  t.equal(hex(await host.command(0x40, '05 00 B0 00 00 00')), '41 27', 'no such target: status 27');

  // RF field off resets the cards: their targets are gone.
  t.equal(hex(await host.command(0x32, '01 00')), '33');
  t.equal(model.rfOn, false);
  t.equal(hex(await host.command(0x40, '02 00 B0 00 00 00')), '41 27');
  await host.send(encodeCommand(0x32, h('09 00')));
  t.equal((await host.next()).kind, 'ack');
  t.equal((await host.next()).kind, 'error', 'RFConfiguration item 09 does not exist: syntax error frame');
  await host.close();
});

t.test('host ACK aborts the running command; NACK repeats the last response (UM 6.2.1)', async (t) => {
  const model = new Pn532Model({ asleep: false });
  const host = hsuHost(model);
  await host.send(encodeCommand(0x4a, h('01 00')));
  t.equal((await host.next()).kind, 'ack');
  await host.send(ACK_FRAME);
  t.equal(model.aborts, 1);
  model.insertCard(ntag);
  await tick(20);
  t.equal(host.pending(), 0, 'the aborted command never answers');

  const first = await host.command(0x02, '');
  await host.send(NACK_FRAME);
  const again = await host.next();
  t.equal(again.kind === 'info' ? hex(again.data) : again.kind, hex(first), 'same frame again');
  t.equal(model.nacks, 1);
  await host.close();
});
