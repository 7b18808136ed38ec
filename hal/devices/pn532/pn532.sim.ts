/**
 * A model of the NXP PN532 (firmware v1.6) as its host sees it on SPI, I2C or HSU:
 * frames are parsed and answered byte-exact (PN532 UM 6.2), commands are interpreted
 * (GetFirmwareVersion, SAMConfiguration, RFConfiguration, InListPassiveTarget,
 * InDataExchange, InRelease; anything else gets the syntax error frame), and an RF
 * field holds zero, one or more {@link SimContactlessCard}s.
 *
 * Faults a test can inject: checksum errors on the next N response frames, lost command
 * frames (no ACK), lost responses, slow answers, a card pulled mid-exchange.
 */
import { HalError } from '../../errors.js';
import { sleep } from '../../io.js';
import type { SerialLink } from '../../serial.js';
import { reverseBits, type SpiMode } from '../../spi.js';
import type { SimContactlessCard } from '../../roles/contactless.js';
import { ACK_FRAME, ERROR_FRAME, FrameParser, TFI_HOST, TFI_PN532, encodeFrame } from './frame.js';
import { SPI_DATA_READ, SPI_DATA_WRITE, SPI_STATUS_READ } from './pn532-transport.js';

export interface Pn532ModelOptions {
  /** GetFirmwareVersion answer (default IC 0x32, v1.6, support 0x07). */
  firmware?: { ic: number; version: number; revision: number; support: number };
  /** Time one passive activation attempt takes when no card answers (default 2 ms). */
  activationAttemptMs?: number;
  /** Time the chip waits for a silent card before status 0x01 (default 30 ms). */
  cardTimeoutMs?: number;
  /**
   * Largest DataIn of one InDataExchange answer; longer R-APDUs are sent in parts with
   * the MI bit (UM 7.3.8). Default 262; above 252 the answer needs an extended frame.
   */
  maxResponseData?: number;
  /** Start powered down, as after power-on (default true): the host must wake the chip. */
  asleep?: boolean;
}

/** The SpiTarget shape of hal/sim/spi.ts (a chip model may not import a backend). */
export interface Pn532SpiEnd {
  select(info: { mode: SpiMode; speedHz: number }): void;
  exchange(tx: Uint8Array): Uint8Array;
  deselect(): void;
}

/** The I2cTarget shape of hal/sim/i2c.ts. */
export interface Pn532I2cEnd {
  i2cWrite(data: Uint8Array): void;
  i2cRead(length: number): Uint8Array;
}

interface Target {
  tg: number;
  card: SimContactlessCard;
  /** C-APDU parts received with the MI bit set. */
  chainIn: number[];
  /** R-APDU bytes not yet sent (PN532 chaining). */
  chainOut: Uint8Array | undefined;
}

/** Status byte codes the model answers (UM 7.1). */
const ST_OK = 0x00;
const ST_TIMEOUT = 0x01;
const ST_INVALID_PARAM = 0x10;
const ST_NOT_IN_CONTEXT = 0x27;
const MI = 0x40;

class Pn532SyntaxError extends Error {}

export class Pn532Model {
  private readonly firmware: { ic: number; version: number; revision: number; support: number };
  private readonly attemptMs: number;
  private readonly cardTimeoutMs: number;
  private readonly maxResponseData: number;
  private readonly field: SimContactlessCard[] = [];
  private targets: Target[] = [];
  private readonly parser = new FrameParser();
  /** Frames waiting for the host to read them (SPI, I2C). */
  private outbox: Uint8Array[] = [];
  private serial: SerialLink | undefined;
  private lastResponse: Uint8Array | undefined;
  private running: { code: number; ctl: AbortController } | undefined;
  private asleepNow: boolean;
  private retries = { atr: 0xff, psl: 0x01, passive: 0xff };
  private corruptNext = 0;
  private loseCommands = 0;
  private garbleCommands = 0;
  private loseResponses = 0;
  private delayMs = 0;
  private pullCardOnExchange = false;

  /** True while the RF field is on. */
  rfOn = false;
  /** SAMConfiguration mode last set (0 = never configured). */
  samMode = 0;
  /** Commands the host aborted with an ACK frame (UM 6.2.1). */
  aborts = 0;
  /** NACK frames received from the host. */
  nacks = 0;
  /** Host frames that failed their checksums (ignored, as the chip does: no ACK). */
  badHostFrames = 0;

  constructor(options: Pn532ModelOptions = {}) {
    this.firmware = options.firmware ?? { ic: 0x32, version: 0x01, revision: 0x06, support: 0x07 };
    this.attemptMs = options.activationAttemptMs ?? 2;
    this.cardTimeoutMs = options.cardTimeoutMs ?? 30;
    this.maxResponseData = options.maxResponseData ?? 262;
    this.asleepNow = options.asleep ?? true;
  }

  get asleep(): boolean {
    return this.asleepNow;
  }

  /** The command code the chip is executing now (ACKed, not yet answered), if any. */
  get executing(): number | undefined {
    return this.running?.code;
  }

  /** MxRtyPassiveActivation as last set by RFConfiguration item 5 (power-on 0xFF). */
  get passiveActivationRetries(): number {
    return this.retries.passive;
  }

  /** Cards in the field now. */
  get cards(): readonly SimContactlessCard[] {
    return [...this.field];
  }

  /** Puts a card in the field. */
  insertCard(card: SimContactlessCard): void {
    if (!this.field.includes(card)) this.field.push(card);
  }

  /** Takes a card (default: every card) out of the field; its target goes mute. */
  removeCard(card?: SimContactlessCard): void {
    if (card === undefined) this.field.length = 0;
    else if (this.field.includes(card)) this.field.splice(this.field.indexOf(card), 1);
  }

  /** The next `n` response frames (repeats after a NACK included) go out with a wrong DCS. */
  corruptResponses(n: number): void {
    this.corruptNext = n;
  }

  /** The next `n` command frames from the host are lost on the wire: no ACK, no answer. */
  loseNextCommands(n: number): void {
    this.loseCommands += n;
  }

  /**
   * The next `n` command frames arrive with a wrong DCS (noise on the wire): the chip
   * finds the bad checksum and stays silent, as for a lost frame (no ACK).
   */
  garbleNextCommands(n: number): void {
    this.garbleCommands = n;
  }

  /** The next `n` commands are ACKed but their response never comes. */
  loseNextResponses(n: number): void {
    this.loseResponses += n;
  }

  /** Every response comes this much later (0 = at once). */
  setResponseDelay(ms: number): void {
    this.delayMs = ms;
  }

  /** The card leaves the field while the next InDataExchange is in progress. */
  pullCardDuringNextExchange(): void {
    this.pullCardOnExchange = true;
  }

  // ---------------------------------------------------------------- host link

  /** SPI (UM 6.2.5): mode 0, LSB first; the first byte of a session selects DW, SR or DR. */
  spiTarget(): Pn532SpiEnd {
    let op: number | undefined;
    let lost = false;
    let written: number[] = [];
    let reading: Uint8Array | undefined;
    let readPos = 0;
    return {
      select: (info) => {
        op = undefined;
        written = [];
        reading = undefined;
        readPos = 0;
        // Bits sampled on the wrong edge garble every byte: the chip sees nothing valid.
        lost = info.mode !== 0;
        if (this.asleepNow) {
          // Chip select low wakes the PN532; the bytes of that session are lost.
          this.asleepNow = false;
          lost = true;
        }
      },
      exchange: (tx) => {
        const rx = new Uint8Array(tx.length);
        for (let i = 0; i < tx.length; i++) {
          if (lost) {
            rx[i] = 0xff;
            continue;
          }
          const v = reverseBits(tx[i]!);
          let out = 0x00;
          if (op === undefined) {
            op = v;
            if (op === SPI_DATA_READ) reading = this.outbox[0];
          } else if (op === SPI_DATA_WRITE) {
            written.push(v);
          } else if (op === SPI_STATUS_READ) {
            out = this.outbox.length > 0 ? 0x01 : 0x00;
          } else if (op === SPI_DATA_READ) {
            out = reading?.[readPos++] ?? 0x00;
          }
          rx[i] = reverseBits(out);
        }
        return rx;
      },
      deselect: () => {
        if (lost) return;
        if (op === SPI_DATA_WRITE && written.length > 0) this.fromHost(Uint8Array.from(written));
        if (op === SPI_DATA_READ && reading !== undefined && readPos > 0 && this.outbox[0] === reading) this.outbox.shift();
      },
    };
  }

  /** I2C (UM 6.2.4), address 0x24: every read starts with the ready byte. */
  i2cTarget(): Pn532I2cEnd {
    const wakeNack = (): void => {
      if (!this.asleepNow) return;
      // The PN532 stretches SCL / does not acknowledge while it wakes (libnfc pn532_i2c.c).
      this.asleepNow = false;
      throw new HalError('HAL_NACK', 'pn532 model: waking up');
    };
    return {
      i2cWrite: (data) => {
        wakeNack();
        this.fromHost(data);
      },
      i2cRead: (length) => {
        wakeNack();
        const rx = new Uint8Array(length);
        const frame = this.outbox[0];
        rx[0] = frame ? 0x01 : 0x00;
        // A 1-byte read only polls; a longer one takes the frame.
        if (frame && length > 1) {
          rx.set(frame.subarray(0, length - 1), 1);
          this.outbox.shift();
        }
        return rx;
      },
    };
  }

  /** HSU (UM 6.2.3): the chip's end of a serial link; wakes on 0x55 (UM 7.2.11). */
  attachSerial(link: SerialLink): () => void {
    this.serial = link;
    const off = link.onData((chunk) => {
      let data = chunk;
      if (this.asleepNow) {
        const at = chunk.indexOf(0x55);
        if (at < 0) return;
        this.asleepNow = false;
        data = chunk.subarray(at + 1);
      }
      if (data.length > 0) this.fromHost(data);
    });
    return () => {
      off();
      if (this.serial === link) this.serial = undefined;
    };
  }

  private emit(frame: Uint8Array): void {
    if (this.serial) {
      this.serial.write(frame).catch(() => undefined);
      return;
    }
    this.outbox.push(frame);
  }

  private fromHost(bytes: Uint8Array): void {
    // Each bus write carries one whole frame; ACK/NACK (6 bytes) have no DCS to spoil.
    if (this.garbleCommands > 0 && bytes.length > 6) {
      this.garbleCommands--;
      bytes = Uint8Array.from(bytes);
      bytes[bytes.length - 2] = (bytes[bytes.length - 2]! ^ 0x5a) & 0xff;
    }
    for (const ev of this.parser.push(bytes)) {
      if (ev.kind === 'bad') {
        this.badHostFrames++;
      } else if (ev.kind === 'ack') {
        // The host aborts the running command (UM 6.2.1 ACK frame).
        if (this.running) {
          this.aborts++;
          this.running.ctl.abort();
          this.running = undefined;
        }
        this.outbox = [];
      } else if (ev.kind === 'nack') {
        this.nacks++;
        this.outbox = [];
        if (this.lastResponse) this.respond(this.lastResponse);
      } else if (ev.kind === 'info' && this.loseCommands > 0) {
        this.loseCommands--;
      } else if (ev.kind === 'info' && this.running === undefined) {
        this.outbox = [];
        this.emit(ACK_FRAME);
        const running = { code: ev.data[0] ?? -1, ctl: new AbortController() };
        this.running = running;
        void this.run(ev.tfi, ev.data, running.ctl.signal).finally(() => {
          if (this.running === running) this.running = undefined;
        });
      }
    }
  }

  private async run(tfi: number, data: Uint8Array, signal: AbortSignal): Promise<void> {
    let frame: Uint8Array;
    try {
      // Hardware answers asynchronously: never in the host's own transaction.
      await new Promise((r) => setImmediate(r));
      if (tfi !== TFI_HOST || data.length === 0) throw new Pn532SyntaxError();
      const answer = await this.execute(data[0]!, data.subarray(1), signal);
      if (this.delayMs > 0) await sleep(this.delayMs, signal);
      frame = encodeFrame(TFI_PN532, Uint8Array.of(data[0]! + 1, ...answer));
    } catch {
      if (signal.aborted) return;
      // A syntax error (or a parameter the model cannot take) gets the error frame (UM 6.2.1).
      frame = ERROR_FRAME;
    }
    if (signal.aborted) return;
    this.lastResponse = frame;
    if (this.loseResponses > 0) {
      this.loseResponses--;
      return;
    }
    this.respond(frame);
  }

  /** Sends a response frame, with a wrong DCS while a checksum fault is armed. */
  private respond(frame: Uint8Array): void {
    if (this.corruptNext > 0 && frame.length > 8) {
      this.corruptNext--;
      const bad = Uint8Array.from(frame);
      bad[bad.length - 2] = (bad[bad.length - 2]! + 1) & 0xff;
      this.emit(bad);
      return;
    }
    this.emit(frame);
  }

  // ---------------------------------------------------------------- commands

  private async execute(code: number, p: Uint8Array, signal: AbortSignal): Promise<number[]> {
    switch (code) {
      case 0x02: {
        const f = this.firmware;
        return [f.ic, f.version, f.revision, f.support];
      }
      case 0x14:
        // SAMConfiguration (UM 7.2.10): Mode 1..4, [Timeout], [IRQ].
        if (p.length < 1 || p.length > 3 || p[0]! < 1 || p[0]! > 4) throw new Pn532SyntaxError();
        this.samMode = p[0]!;
        return [];
      case 0x32:
        return this.rfConfiguration(p);
      case 0x4a:
        return this.inListPassiveTarget(p, signal);
      case 0x40:
        return this.inDataExchange(p, signal);
      case 0x52: {
        // InRelease (UM 7.3.11): Tg 0 = all.
        if (p.length !== 1) throw new Pn532SyntaxError();
        const tg = p[0]! & 0x3f;
        if (tg === 0) {
          this.targets = [];
          return [ST_OK];
        }
        const before = this.targets.length;
        this.targets = this.targets.filter((t) => t.tg !== tg);
        return [before === this.targets.length ? ST_NOT_IN_CONTEXT : ST_OK];
      }
      default:
        throw new Pn532SyntaxError();
    }
  }

  /** RFConfiguration (UM 7.3.1): CfgItem and its data. */
  private rfConfiguration(p: Uint8Array): number[] {
    const sizes: Record<number, number> = { 0x01: 1, 0x02: 3, 0x04: 1, 0x05: 3, 0x0a: 11, 0x0b: 8, 0x0c: 3, 0x0d: 9 };
    const item = p[0];
    if (item === undefined || sizes[item] !== p.length - 1) throw new Pn532SyntaxError();
    if (item === 0x01) {
      this.rfOn = (p[1]! & 0x01) === 1;
      // Field off: every card loses power and its state.
      if (!this.rfOn) this.targets = [];
    } else if (item === 0x05) {
      this.retries = { atr: p[1]!, psl: p[2]!, passive: p[3]! };
    }
    return [];
  }

  /** InListPassiveTarget (UM 7.3.5): MaxTg 1..2, BrTy 0..4, [InitiatorData]. */
  private async inListPassiveTarget(p: Uint8Array, signal: AbortSignal): Promise<number[]> {
    if (p.length < 2 || p[0]! < 1 || p[0]! > 2 || p[1]! > 4) throw new Pn532SyntaxError();
    const maxTg = p[0]!;
    this.targets = [];
    this.rfOn = true;
    // 0xFF: try forever; n: n retries after the first attempt.
    const attempts = this.retries.passive === 0xff ? Infinity : this.retries.passive + 1;
    for (let i = 0; i < attempts; i++) {
      // The model holds type A cards only (BrTy 0x00, 106 kbps).
      if (p[1] === 0x00 && this.field.length > 0) {
        const found = this.field.slice(0, maxTg);
        const out: number[] = [found.length];
        found.forEach((card, k) => {
          const tg = k + 1;
          this.targets.push({ tg, card, chainIn: [], chainOut: undefined });
          // Auto-RATS (SetParameters default) gives the ATS of ISO/IEC 14443-4 cards.
          const ats = card.sak & 0x20 ? [...card.ats] : [];
          out.push(tg, card.atqa[0]!, card.atqa[1]!, card.sak, card.uid.length, ...card.uid, ...ats);
        });
        return out;
      }
      await sleep(this.attemptMs, signal);
    }
    return [0];
  }

  /** InDataExchange (UM 7.3.8): Tg (bit 6 MI), DataOut up to 262 bytes. */
  private async inDataExchange(p: Uint8Array, signal: AbortSignal): Promise<number[]> {
    if (p.length < 1) throw new Pn532SyntaxError();
    const tg = p[0]! & 0x3f;
    const more = (p[0]! & MI) !== 0;
    const data = p.subarray(1);
    if (data.length > 262) return [ST_INVALID_PARAM];
    const target = this.targets.find((t) => t.tg === tg);
    if (!target) return [ST_NOT_IN_CONTEXT];
    if (data.length === 0 && target.chainOut) return this.sendPart(target);
    if (more) {
      target.chainIn.push(...data);
      return this.cardPresent(target) ? [ST_OK] : this.mute(signal);
    }
    const capdu = Uint8Array.of(...target.chainIn, ...data);
    target.chainIn = [];
    target.chainOut = undefined;
    if (this.pullCardOnExchange) {
      this.pullCardOnExchange = false;
      this.removeCard(target.card);
    }
    if (!this.cardPresent(target)) return this.mute(signal);
    let rapdu: Uint8Array;
    try {
      rapdu = await target.card.transceive(capdu);
    } catch {
      return this.mute(signal);
    }
    if (signal.aborted || !this.cardPresent(target)) return this.mute(signal);
    target.chainOut = Uint8Array.from(rapdu);
    return this.sendPart(target);
  }

  private cardPresent(target: Target): boolean {
    return this.rfOn && this.field.includes(target.card);
  }

  /** The card does not answer: the chip waits out its timeout, then reports status 0x01. */
  private async mute(signal: AbortSignal): Promise<number[]> {
    await sleep(this.cardTimeoutMs, signal);
    return [ST_TIMEOUT];
  }

  private sendPart(target: Target): number[] {
    const rest = target.chainOut!;
    const part = rest.subarray(0, this.maxResponseData);
    const left = rest.subarray(part.length);
    target.chainOut = left.length > 0 ? left : undefined;
    return [left.length > 0 ? MI : ST_OK, ...part];
  }
}
