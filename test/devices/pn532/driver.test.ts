// The PN532 driver against its chip model on each bus: set-up, chaining, time limits and
// faults in both directions (PN532 UM 6.2.1-6.2.2, 7.3.1, 7.3.8; hardware.md section 5).
import t from 'tap';
import { isHalError } from '../../../hal/errors.js';
import { Pn532Reader } from '../../../hal/devices/pn532/pn532.js';
import { BUSES, echoCard, openReader, rig } from './rig.js';
import { HANG_MS, until } from '../../until.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();
const READ_256 = Uint8Array.of(0x00, 0xb0, 0x00, 0x00, 0x00);
const IN_LIST_PASSIVE_TARGET = 0x4a; // UM 7.3.5
// Where a frame or a response is lost, a limit has to run out: 1 s (ten times the ACK
// default) keeps the test short and stays far above the stalls of a loaded host.
const LOST_MS = 1000;
const expected258 = (): string => hex(Uint8Array.of(...Array.from({ length: 256 }, (_, i) => i), 0x90, 0x00));

for (const bus of BUSES) {
  t.test(`${bus}: open configures the chip before use`, async (t) => {
    const r = await openReader(bus, {}, { maxRetries: 5 });
    t.equal(r.model.samMode, 1, 'SAMConfiguration normal mode (AN10609: first command after power-up)');
    t.equal(r.model.passiveActivationRetries, 5, 'finite MxRtyPassiveActivation (UM 7.3.1 item 5)');
    t.same(await r.reader.selfTest(), { ic: 0x32, version: 1, revision: 6, support: 7 });
    await r.close();
  });

  t.test(`${bus}: 258-byte R-APDU in one extended frame and through MI chaining`, async (t) => {
    for (const maxResponseData of [262, 64]) {
      const r = await openReader(bus, { maxResponseData });
      r.model.insertCard(echoCard());
      await r.reader.waitForCard({ timeoutMs: HANG_MS });
      t.equal(hex(await r.reader.transceive(READ_256)), expected258(), `chunks of ${maxResponseData}`);
      await r.close();
    }
  });

  t.test(`${bus}: a C-APDU longer than 262 bytes is sent with the Tg MI bit (UM 7.3.8)`, async (t) => {
    const r = await openReader(bus);
    const card = echoCard();
    r.model.insertCard(card);
    await r.reader.waitForCard({ timeoutMs: HANG_MS });
    const data = Array.from({ length: 400 }, (_, i) => (i * 7) & 0xff);
    const capdu = Uint8Array.of(0x80, 0xca, 0x00, 0x00, 0x00, 400 >> 8, 400 & 0xff, ...data);
    t.equal(hex(await r.reader.transceive(capdu)), hex(Uint8Array.of(...data, 0x90, 0x00)));
    t.equal(card.commands, 1, 'the card got one whole C-APDU');
    await r.close();
  });

  t.test(`${bus}: cancel sends the ACK abort (UM 6.2.1) and the chip stops`, async (t) => {
    // One activation attempt that lasts longer than the wait: the chip is still running
    // InListPassiveTarget when the signal fires, however slow the host is.
    const r = await openReader(bus, { activationAttemptMs: 2 * HANG_MS }, { maxRetries: 0 });
    const ac = new AbortController();
    const wait = r.reader.waitForCard({ timeoutMs: HANG_MS, signal: ac.signal });
    await until(() => r.model.executing === IN_LIST_PASSIVE_TARGET, 'InListPassiveTarget running in the chip');
    ac.abort();
    await t.rejects(wait, { code: 'HAL_ABORTED' });
    t.equal(r.model.aborts, 1);
    t.equal(r.model.executing, undefined, 'the chip stopped');
    await r.close();
  });

  t.test(`${bus}: a corrupted response is NACKed and sent again`, async (t) => {
    const r = await openReader(bus);
    r.model.corruptResponses(2);
    t.equal((await r.reader.selfTest()).ic, 0x32);
    t.equal(r.model.nacks, 2);
    r.model.corruptResponses(10);
    await t.rejects(r.reader.selfTest(), { code: 'HAL_PROTOCOL', message: /data-checksum/ }, 'gives up after 3 NACKs');
    r.model.corruptResponses(0);
    await r.close();
  });

  t.test(`${bus}: a command corrupted on its way to the chip gets no ACK and is re-sent`, async (t) => {
    const r = await openReader(bus, {}, { ackTimeoutMs: LOST_MS });
    r.model.garbleNextCommands(2);
    t.equal((await r.reader.selfTest()).ic, 0x32);
    t.equal(r.model.badHostFrames, 2, 'the chip saw two bad checksums');
    await r.close();
  });

  t.test(`${bus}: a lost command frame is re-sent when safe, a clear error when not`, async (t) => {
    const r = await openReader(bus, {}, { ackTimeoutMs: LOST_MS });
    r.model.loseNextCommands(1);
    t.equal((await r.reader.selfTest()).ic, 0x32, 'GetFirmwareVersion re-sent after no ACK');
    const card = echoCard();
    r.model.insertCard(card);
    await r.reader.waitForCard({ timeoutMs: HANG_MS });
    r.model.loseNextCommands(1);
    await t.rejects(r.reader.transceive(READ_256), { code: 'HAL_TIMEOUT', message: /no ACK/ });
    t.equal(card.commands, 0, 'an APDU is never sent twice');
    t.equal(hex(await r.reader.transceive(READ_256)), expected258(), 'the next exchange works');
    await r.close();
  });

  t.test(`${bus}: a lost response ends in HAL_TIMEOUT, aborted, and the reader recovers`, async (t) => {
    const r = await openReader(bus, {}, { commandTimeoutMs: LOST_MS });
    r.model.loseNextResponses(1);
    await t.rejects(r.reader.selfTest(), { code: 'HAL_TIMEOUT' });
    t.equal(r.model.aborts, 0, 'the chip had finished: nothing to abort');
    t.equal((await r.reader.selfTest()).ic, 0x32);
    await r.close();
  });

  t.test(`${bus}: a slow answer within the limit is fine; over it, HAL_TIMEOUT`, async (t) => {
    const r = await openReader(bus);
    r.model.insertCard(echoCard());
    await r.reader.waitForCard({ timeoutMs: HANG_MS });
    r.model.setResponseDelay(30);
    t.equal(hex(await r.reader.transceive(READ_256, { timeoutMs: HANG_MS })), expected258());
    // An answer that comes long after the limit: the chip is still at it when the driver gives up.
    r.model.setResponseDelay(2 * HANG_MS);
    await t.rejects(r.reader.transceive(READ_256, { timeoutMs: 100 }), { code: 'HAL_TIMEOUT' });
    t.equal(r.model.aborts, 1, 'the late command was aborted with an ACK');
    r.model.setResponseDelay(0);
    t.equal(hex(await r.reader.transceive(READ_256)), expected258());
    await r.close();
  });

  t.test(`${bus}: a card that never answers cannot hang transceive`, async (t) => {
    const r = await openReader(bus);
    const mute = { ...echoCard(), transceive: () => new Promise<Uint8Array>(() => undefined) };
    r.model.insertCard(mute);
    await r.reader.waitForCard({ timeoutMs: HANG_MS });
    await t.rejects(r.reader.transceive(READ_256, { timeoutMs: 100 }), { code: 'HAL_TIMEOUT' });
    await r.close();
  });

  t.test(`${bus}: a card that stops answering is reported as removed (status 0x01)`, async (t) => {
    const r = await openReader(bus);
    const dead = {
      ...echoCard(),
      transceive: (): Uint8Array => {
        throw new Error('no answer');
      },
    };
    r.model.insertCard(dead);
    await r.reader.waitForCard({ timeoutMs: HANG_MS });
    const err = await r.reader.transceive(READ_256).catch((e: unknown) => e);
    t.ok(isHalError(err, 'HAL_DEVICE'));
    t.match((err as Error).message, /card removed: pn532: InDataExchange status 0x01/);
    await r.close();
  });

  t.test(`${bus}: finite retries: no card answers NbTg 0 and the wait ends on time`, async (t) => {
    const r = await openReader(bus, {}, { maxRetries: 0 });
    await t.rejects(r.reader.waitForCard({ timeoutMs: 60 }), { code: 'HAL_TIMEOUT', message: /no card within 60 ms/ });
    await r.close();
  });
}

t.test('open refuses MaxRetries 0xFF (wait forever) and a chip that is not a PN532', async (t) => {
  const r1 = await rig('spi');
  await t.rejects(Pn532Reader.open({ transport: r1.transport, maxRetries: 0xff }), { code: 'HAL_INVALID_ARGUMENT' });
  await r1.close();
  const r2 = await rig('hsu', { firmware: { ic: 0x33, version: 2, revision: 1, support: 7 } });
  await t.rejects(Pn532Reader.open({ transport: r2.transport }), { code: 'HAL_DEVICE', message: /not a PN532/ });
  await r2.close();
});

t.test('a silent bus: open fails with HAL_TIMEOUT, never hangs', async (t) => {
  const r = await rig('hsu');
  r.model.loseNextCommands(100);
  await t.rejects(Pn532Reader.open({ transport: r.transport, ackTimeoutMs: 20 }), { code: 'HAL_TIMEOUT', message: /no ACK for SAMConfiguration/ });
  await r.close();
});

t.test('on the wire, the driver sends the datasheet frames (bus traces)', async (t) => {
  // SAMConfiguration normal/0x14/IRQ and GetFirmwareVersion (hardware.md 5.1 vectors).
  const SAM = '0000FF05FBD4140114010200';
  const FW = '0000FF02FED4022A00';
  const rev = (s: string): string =>
    Buffer.from([...Buffer.from(s, 'hex')].map((b) => parseInt(b.toString(2).padStart(8, '0').split('').reverse().join(''), 2)))
      .toString('hex')
      .toUpperCase();

  const spi = await openReader('spi');
  const dw = spi.trace.entries.filter((e) => String(e.tx).startsWith('80')).map((e) => e.tx);
  t.same(dw.slice(0, 2), [rev('01' + SAM), rev('01' + FW)], 'SPI: DW prefix 01 and every byte LSB first');
  await spi.close();

  const i2c = await openReader('i2c');
  const writes = i2c.trace.entries.filter((e) => e.op === 'write').map((e) => e.data);
  t.same(writes.slice(0, 2), [SAM, FW], 'I2C: frames written as they are, to 0x24');
  t.ok(i2c.trace.entries.every((e) => e.addr === 0x24));
  await i2c.close();

  const hsu = await openReader('hsu');
  const sent = hsu.trace.entries.filter((e) => e.op === 'write').map((e) => e.data);
  t.same(sent.slice(0, 3), ['5555000000', SAM, FW], 'HSU: wake-up preamble, then the frames');
  await hsu.close();
});
