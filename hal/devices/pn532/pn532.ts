/**
 * NXP PN532 driver (firmware v1.6, "C106") as a ContactlessReader, over any
 * {@link Pn532Transport} (SPI, I2C or HSU). Sources: NXP UM0701-02 PN532 User Manual
 * ("UM"), AN10609 PN532 C106 application note.
 */
import { HalError, isHalError } from '../../errors.js';
import { sleep } from '../../io.js';
import {
  ContactlessError,
  type CardInfo,
  type ContactlessFault,
  type ContactlessProtocol,
  type ContactlessReader,
  type ContactlessSelfTest,
  type ContactlessWaitOptions,
} from '../../roles/contactless.js';
import { ACK_FRAME, EXTENDED_MAX_LEN, EXTENDED_OVERHEAD, NACK_FRAME, TFI_PN532, encodeCommand } from './frame.js';
import type { I2cBus } from '../../i2c.js';
import type { SerialOpener } from '../../serial.js';
import type { SpiBus } from '../../spi.js';
import {
  HsuPn532Transport,
  I2cPn532Transport,
  PN532_I2C_ADDRESS,
  SpiPn532Transport,
  type Pn532Interface,
  type Pn532Transport,
} from './pn532-transport.js';

/** Command codes (UM 7.2, 7.3). The response code is the command code + 1. */
export const PN532_COMMANDS = {
  GetFirmwareVersion: 0x02,
  SAMConfiguration: 0x14,
  RFConfiguration: 0x32,
  InDataExchange: 0x40,
  InListPassiveTarget: 0x4a,
  InRelease: 0x52,
} as const;

export type Pn532CommandName = keyof typeof PN532_COMMANDS;

/** RFConfiguration items (UM 7.3.1). */
export const RF_ITEM_FIELD = 0x01;
export const RF_ITEM_MAX_RETRIES = 0x05;

/** InDataExchange DataOut limit per command (UM 7.3.8). */
export const IN_DATA_EXCHANGE_MAX = 262;
/** Tg / status bit 6: more information follows (chaining, UM 7.3.8). */
export const MI_BIT = 0x40;
/** SEL_RES bits (ISO/IEC 14443-3 6.5.3.4; libnfc SAK_ISO14443_4_COMPLIANT). */
const SAK_ISO14443_4 = 0x20;
const SAK_NFC_DEP = 0x40;

/** The PN532's IC code in GetFirmwareVersion (UM 7.2.2). */
export const PN532_IC = 0x32;

type StatusClass = ContactlessFault | 'chip';

/** Status byte error codes (UM 7.1 error code list), with how the driver reports them. */
export const PN532_STATUS: Readonly<Record<number, readonly [string, StatusClass]>> = {
  0x01: ['time out, the target has not answered', 'card-removed'],
  0x02: ['CRC error detected by the CIU', 'card-error'],
  0x03: ['parity error detected by the CIU', 'card-error'],
  0x04: ['erroneous bit count during anticollision', 'card-error'],
  0x05: ['framing error during MIFARE operation', 'card-error'],
  0x06: ['abnormal bit collision during anticollision at 106 kbps', 'card-error'],
  0x07: ['communication buffer size insufficient', 'chip'],
  0x09: ['RF buffer overflow detected by the CIU', 'chip'],
  0x0a: ['RF field not switched on in time', 'chip'],
  0x0b: ['RF protocol error', 'card-error'],
  0x0d: ['temperature error: antenna drivers switched off', 'chip'],
  0x0e: ['internal buffer overflow', 'chip'],
  0x10: ['invalid parameter', 'chip'],
  0x12: ['DEP: unsupported command from the initiator', 'card-error'],
  0x13: ['data format does not match the specification', 'card-error'],
  0x14: ['MIFARE authentication error', 'card-error'],
  0x23: ['ISO/IEC 14443-3: UID check byte is wrong', 'card-error'],
  0x25: ['DEP: invalid device state', 'card-error'],
  0x26: ['operation not allowed in this configuration', 'chip'],
  0x27: ['command not acceptable in the current context', 'no-card'],
  0x29: ['the target has been released by the initiator', 'card-removed'],
  0x2a: ['card ID does not match: the card was exchanged', 'card-removed'],
  0x2b: ['the card previously activated has disappeared', 'card-removed'],
  0x2c: ['NFCID3 mismatch', 'card-error'],
  0x2d: ['over-current event detected', 'chip'],
  0x2e: ['NAD missing in DEP frame', 'card-error'],
};

export interface Pn532Options {
  transport: Pn532Transport;
  /**
   * MxRtyPassiveActivation (RFConfiguration item 5): activation attempts per
   * InListPassiveTarget beyond the first, 0x00..0xFE. 0xFF (the chip's power-on
   * default) would make the chip wait forever and is refused (hardware.md risk 13).
   */
  maxRetries?: number;
  /** Time for the ACK after a command (UM 6.2.2; the PN532 ACKs within ~15 ms). Default 100 ms. */
  ackTimeoutMs?: number;
  /** Time limit for configuration commands. Default 1000 ms. */
  commandTimeoutMs?: number;
  /** NACKs sent for one response whose checksum is bad before giving up. Default 3. */
  maxNacks?: number;
  /** Re-sends of an idempotent command that got no ACK (a lost frame). Default 2. */
  maxResends?: number;
  /** Pause between polls of the field in waitForCard / waitForRemoval. Default 20 ms. */
  pollIntervalMs?: number;
}

interface CommandOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Safe to send twice: re-sent when its ACK never came. */
  idempotent: boolean;
}

interface Target {
  tg: number;
  info: CardInfo;
}

const RESPONSE_MAX = EXTENDED_MAX_LEN + EXTENDED_OVERHEAD + 4;

function commandName(code: number): string {
  const found = Object.entries(PN532_COMMANDS).find(([, c]) => c === code);
  return found ? found[0] : `command 0x${code.toString(16).padStart(2, '0')}`;
}

const hex2 = (n: number): string => `0x${n.toString(16).padStart(2, '0').toUpperCase()}`;

/** Parses one Type A TargetData of InListPassiveTarget (UM 7.3.5); returns it and the bytes used. */
export function parseTargetA(data: Uint8Array, offset: number): { tg: number; info: CardInfo; next: number } {
  const fail = (why: string): never => {
    throw new HalError('HAL_PROTOCOL', `pn532: InListPassiveTarget target data ${why}`);
  };
  if (data.length < offset + 5) fail('shorter than Tg, SENS_RES, SEL_RES, NFCIDLength');
  const tg = data[offset]!;
  const atqa = data.slice(offset + 1, offset + 3);
  const sak = data[offset + 3]!;
  const uidLen = data[offset + 4]!;
  let p = offset + 5;
  if (![4, 7, 8, 10, 12].includes(uidLen) || data.length < p + uidLen) fail(`has an NFCID1 of ${uidLen} bytes`);
  let uid = data.slice(p, p + uidLen);
  p += uidLen;
  // Cascade tags 0x88 are not part of the UID (ISO/IEC 14443-3 6.5.4; libnfc pn53x_decode_target_data).
  if (uid.length === 8 && uid[0] === 0x88) uid = uid.slice(1);
  else if (uid.length === 12 && uid[0] === 0x88 && uid[4] === 0x88) uid = Uint8Array.of(...uid.slice(1, 4), ...uid.slice(5));
  let ats: Uint8Array | undefined;
  if (sak & SAK_ISO14443_4 && p < data.length) {
    // ATS as the PN532 reports it: TL counts itself (ISO/IEC 14443-4 5.2.1).
    const tl = data[p]!;
    if (tl < 1 || data.length < p + tl) fail(`has an ATS length byte ${tl} beyond the frame`);
    ats = data.slice(p, p + tl);
    p += tl;
  }
  const protocol: ContactlessProtocol = sak & SAK_ISO14443_4 ? 'iso14443-4' : sak & SAK_NFC_DEP ? 'nfc-dep' : 'iso14443-3a';
  const info: CardInfo = ats ? { uid, atqa, sak, ats, protocol } : { uid, atqa, sak, protocol };
  return { tg, info, next: p };
}

function statusError(command: string, status: number): HalError {
  const code = status & 0x3f;
  const entry = PN532_STATUS[code];
  const text = `pn532: ${command} status ${hex2(code)}`;
  if (!entry) return new HalError('HAL_DEVICE', `${text} (not in the UM 7.1 error list)`);
  const [meaning, cls] = entry;
  if (cls === 'chip') return new HalError('HAL_DEVICE', `${text}: ${meaning}`);
  const lead = cls === 'card-removed' ? 'card removed: ' : cls === 'no-card' ? 'no card: ' : '';
  return new ContactlessError(cls, `${lead}${text}: ${meaning}`);
}

export class Pn532Reader implements ContactlessReader {
  private readonly transport: Pn532Transport;
  private readonly ackTimeoutMs: number;
  private readonly commandTimeoutMs: number;
  private readonly maxNacks: number;
  private readonly maxResends: number;
  private readonly pollIntervalMs: number;
  private readonly closing = new AbortController();
  private lock: Promise<unknown> = Promise.resolve();
  private closed = false;
  private target: Target | undefined;

  private constructor(options: Pn532Options) {
    this.transport = options.transport;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 100;
    this.commandTimeoutMs = options.commandTimeoutMs ?? 1000;
    this.maxNacks = options.maxNacks ?? 3;
    this.maxResends = options.maxResends ?? 2;
    this.pollIntervalMs = options.pollIntervalMs ?? 20;
  }

  /** Wakes the chip, configures it (SAM normal mode, finite retries) and checks it is a PN532. */
  static async open(options: Pn532Options): Promise<Pn532Reader> {
    const retries = options.maxRetries ?? 0x10;
    if (!Number.isInteger(retries) || retries < 0 || retries > 0xfe) {
      throw new HalError('HAL_INVALID_ARGUMENT', `pn532: maxRetries ${retries} is outside 0..254 (0xFF would wait forever)`);
    }
    const reader = new Pn532Reader(options);
    try {
      await reader.transport.wake();
      // The C106 starts in Low-VBat mode; SAMConfiguration comes first (AN10609 3.1).
      // Normal mode, timeout 0x14 (x50 ms, virtual card mode only), P70_IRQ used (UM 7.2.10).
      await reader.exclusive(undefined, (signal) => reader.command(PN532_COMMANDS.SAMConfiguration, [0x01, 0x14, 0x01], reader.configOptions(signal)));
      await reader.selfTest();
      // MxRtyATR 0xFF, MxRtyPSL 0x01 (defaults), MxRtyPassiveActivation finite (UM 7.3.1 item 5).
      await reader.exclusive(undefined, (signal) =>
        reader.command(PN532_COMMANDS.RFConfiguration, [RF_ITEM_MAX_RETRIES, 0xff, 0x01, retries], reader.configOptions(signal)),
      );
      return reader;
    } catch (err) {
      await reader.transport.close().catch(() => undefined);
      throw err;
    }
  }

  private configOptions(signal: AbortSignal): CommandOptions {
    return { timeoutMs: this.commandTimeoutMs, signal, idempotent: true };
  }

  /** Runs `op` alone; close() cancels it (HAL_CLOSED), the caller's signal aborts it. */
  private exclusive<T>(userSignal: AbortSignal | undefined, op: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new HalError('HAL_CLOSED', 'pn532: call after close'));
    const signal = userSignal ? AbortSignal.any([userSignal, this.closing.signal]) : this.closing.signal;
    const run = this.lock.then(async () => {
      if (this.closing.signal.aborted) throw new HalError('HAL_CLOSED', 'pn532: closed');
      try {
        return await op(signal);
      } catch (err) {
        if (this.closing.signal.aborted && isHalError(err, 'HAL_ABORTED')) throw new HalError('HAL_CLOSED', 'pn532: closed during the operation', { cause: err });
        throw err;
      }
    });
    this.lock = run.catch(() => undefined);
    return run;
  }

  /**
   * One command dialog (UM 6.2.2): write the frame, wait for the ACK, wait for the
   * response; NACK a corrupted response (the chip sends it again), re-send an idempotent
   * command whose ACK never came, abort with an ACK on timeout or cancel.
   * Returns the response data after the response code.
   */
  private async command(code: number, params: ArrayLike<number>, options: CommandOptions): Promise<Uint8Array> {
    const name = commandName(code);
    const frame = encodeCommand(code, Uint8Array.from(params));
    const deadline = Date.now() + options.timeoutMs;
    const left = (): number => Math.max(1, deadline - Date.now());
    const signal = options.signal;
    let acked = false;
    try {
      for (let attempt = 0; ; attempt++) {
        this.transport.discard();
        await this.transport.write(frame, { timeoutMs: left(), signal });
        acked = await this.waitAck(Math.min(this.ackTimeoutMs, left()), signal);
        if (acked) break;
        if (!options.idempotent || attempt >= this.maxResends || deadline - Date.now() <= 0) {
          throw new HalError('HAL_TIMEOUT', `pn532: no ACK for ${name} (UM 6.2.2)`);
        }
      }
      let nacks = 0;
      for (;;) {
        const ev = await this.transport.read({ timeoutMs: left(), signal, maxLength: RESPONSE_MAX });
        if (ev.kind === 'bad') {
          if (++nacks > this.maxNacks) {
            throw new HalError('HAL_PROTOCOL', `pn532: ${name} response still corrupt after ${this.maxNacks} NACKs: ${ev.reason} (${ev.detail})`);
          }
          // NACK: the PN532 sends its last response frame again (UM 6.2.1 NACK frame).
          await this.transport.write(NACK_FRAME, { timeoutMs: left(), signal });
          continue;
        }
        if (ev.kind === 'error') throw new HalError('HAL_PROTOCOL', `pn532: ${name} answered with the syntax error frame (UM 6.2.1)`);
        // An ACK here, or a response to an earlier aborted command, is not our answer.
        if (ev.kind !== 'info' || ev.tfi !== TFI_PN532 || ev.data[0] !== code + 1) continue;
        return ev.data.subarray(1);
      }
    } catch (err) {
      if (isHalError(err, 'HAL_TIMEOUT') || isHalError(err, 'HAL_ABORTED')) await this.abortCommand();
      if (isHalError(err, 'HAL_TIMEOUT') && acked) {
        throw new HalError('HAL_TIMEOUT', `pn532: no answer to ${name} within ${options.timeoutMs} ms`, { cause: err });
      }
      throw err;
    }
  }

  private async waitAck(timeoutMs: number, signal: AbortSignal | undefined): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (deadline - Date.now() > 0) {
      let ev;
      try {
        ev = await this.transport.read({ timeoutMs: Math.max(1, deadline - Date.now()), signal, maxLength: ACK_FRAME.length });
      } catch (err) {
        if (isHalError(err, 'HAL_TIMEOUT')) return false;
        throw err;
      }
      if (ev.kind === 'ack') return true;
    }
    return false;
  }

  /** An ACK from the host aborts the command the PN532 is running (UM 6.2.1 ACK frame). */
  private async abortCommand(): Promise<void> {
    try {
      await this.transport.write(ACK_FRAME, { timeoutMs: 200 });
    } catch {
      // The bus itself failed; the caller reports the original error.
    }
    this.transport.discard();
  }

  selfTest(): Promise<ContactlessSelfTest> {
    return this.exclusive(undefined, async (signal) => {
      const r = await this.command(PN532_COMMANDS.GetFirmwareVersion, [], this.configOptions(signal));
      if (r.length < 4) throw new HalError('HAL_PROTOCOL', `pn532: GetFirmwareVersion answered ${r.length} bytes instead of 4`);
      const info = { ic: r[0]!, version: r[1]!, revision: r[2]!, support: r[3]! };
      if (info.ic !== PN532_IC) throw new HalError('HAL_DEVICE', `pn532: IC code ${hex2(info.ic)} is not a PN532 (${hex2(PN532_IC)})`);
      return info;
    });
  }

  /** InListPassiveTarget, 106 kbps type A (UM 7.3.5). */
  private async listTargets(maxTg: 1 | 2, timeoutMs: number, signal: AbortSignal): Promise<Target[]> {
    const r = await this.command(PN532_COMMANDS.InListPassiveTarget, [maxTg, 0x00], { timeoutMs, signal, idempotent: true });
    const nb = r[0];
    if (nb === undefined || nb > maxTg) throw new HalError('HAL_PROTOCOL', `pn532: InListPassiveTarget NbTg ${nb} for MaxTg ${maxTg}`);
    const targets: Target[] = [];
    let p = 1;
    for (let i = 0; i < nb; i++) {
      const t = parseTargetA(r, p);
      targets.push({ tg: t.tg, info: t.info });
      p = t.next;
    }
    return targets;
  }

  private async releaseTarget(tg: number, signal: AbortSignal): Promise<void> {
    // Status is not checked: the target is gone from the driver's view either way.
    await this.command(PN532_COMMANDS.InRelease, [tg], this.configOptions(signal));
  }

  /**
   * Polls with MaxTg 2: with MaxTg 1 the PN532 resolves the anticollision and silently
   * picks one card, so only asking for two shows a second card (EMV Book D collision).
   */
  waitForCard(options: ContactlessWaitOptions = {}): Promise<CardInfo> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    return this.exclusive(options.signal, async (signal) => {
      const deadline = Date.now() + timeoutMs;
      this.target = undefined;
      for (;;) {
        const left = deadline - Date.now();
        if (left <= 0) throw new HalError('HAL_TIMEOUT', `pn532: no card within ${timeoutMs} ms`);
        let targets: Target[];
        try {
          targets = await this.listTargets(2, left, signal);
        } catch (err) {
          if (isHalError(err, 'HAL_TIMEOUT') && deadline - Date.now() <= 0) {
            throw new HalError('HAL_TIMEOUT', `pn532: no card within ${timeoutMs} ms`, { cause: err });
          }
          throw err;
        }
        if (targets.length > 1) {
          await this.releaseTarget(0, signal);
          throw new ContactlessError('more-than-one-card', 'pn532: more than one card in the field');
        }
        if (targets.length === 1) {
          this.target = targets[0]!;
          return this.target.info;
        }
        await sleep(Math.max(0, Math.min(this.pollIntervalMs, deadline - Date.now())), signal);
      }
    });
  }

  /** InDataExchange (UM 7.3.8) with host-side chaining (Tg MI bit) and PN532 chaining (status MI bit). */
  transceive(capdu: Uint8Array, options: ContactlessWaitOptions = {}): Promise<Uint8Array> {
    const timeoutMs = options.timeoutMs ?? 5000;
    const apdu = Uint8Array.from(capdu);
    return this.exclusive(options.signal, async (signal) => {
      const target = this.target;
      if (!target) throw new ContactlessError('no-card', 'pn532: transceive with no activated card (call waitForCard)');
      if (apdu.length === 0) throw new HalError('HAL_INVALID_ARGUMENT', 'pn532: empty C-APDU');
      const deadline = Date.now() + timeoutMs;
      const exchange = async (params: Uint8Array): Promise<Uint8Array> => {
        const r = await this.command(PN532_COMMANDS.InDataExchange, params, {
          timeoutMs: Math.max(1, deadline - Date.now()),
          signal,
          idempotent: false,
        });
        if (r.length < 1) throw new HalError('HAL_PROTOCOL', 'pn532: InDataExchange answered without a status byte');
        if ((r[0]! & 0x3f) !== 0) {
          const err = statusError('InDataExchange', r[0]!);
          if (err instanceof ContactlessError && err.fault === 'card-removed') {
            this.target = undefined;
            await this.releaseTarget(target.tg, signal).catch(() => undefined);
          }
          throw err;
        }
        return r;
      };
      let r: Uint8Array = new Uint8Array(0);
      for (let off = 0; off < apdu.length; off += IN_DATA_EXCHANGE_MAX) {
        const part = apdu.subarray(off, off + IN_DATA_EXCHANGE_MAX);
        const more = off + IN_DATA_EXCHANGE_MAX < apdu.length;
        r = await exchange(Uint8Array.of(target.tg | (more ? MI_BIT : 0), ...part));
      }
      const parts: Uint8Array[] = [r.subarray(1)];
      while (r[0]! & MI_BIT) {
        r = await exchange(Uint8Array.of(target.tg));
        parts.push(r.subarray(1));
      }
      return Uint8Array.from(parts.flatMap((p) => [...p]));
    });
  }

  /** Releases the card, then re-polls (as EMV Book A card removal) until none answers. */
  waitForRemoval(options: ContactlessWaitOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    return this.exclusive(options.signal, async (signal) => {
      const deadline = Date.now() + timeoutMs;
      const still = (): HalError => new HalError('HAL_TIMEOUT', `pn532: card still in the field after ${timeoutMs} ms`);
      if (this.target) {
        const tg = this.target.tg;
        this.target = undefined;
        await this.releaseTarget(tg, signal);
      }
      for (;;) {
        const left = deadline - Date.now();
        if (left <= 0) throw still();
        let targets: Target[];
        try {
          targets = await this.listTargets(1, left, signal);
        } catch (err) {
          if (isHalError(err, 'HAL_TIMEOUT') && deadline - Date.now() <= 0) throw still();
          throw err;
        }
        if (targets.length === 0) return;
        await this.releaseTarget(0, signal);
        await sleep(Math.max(0, Math.min(this.pollIntervalMs, deadline - Date.now())), signal);
      }
    });
  }

  release(): Promise<void> {
    return this.exclusive(undefined, async (signal) => {
      const tg = this.target?.tg ?? 0;
      this.target = undefined;
      await this.releaseTarget(tg, signal);
    });
  }

  /** RFConfiguration item 1 = 0x00: RF off, AutoRFCA off (UM 7.3.1). */
  fieldOff(): Promise<void> {
    return this.exclusive(undefined, async (signal) => {
      this.target = undefined;
      await this.command(PN532_COMMANDS.RFConfiguration, [RF_ITEM_FIELD, 0x00], this.configOptions(signal));
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
    await this.lock;
    await this.transport.close();
  }
}

/** The binding's props (binding.ts), as the composition root passes them. */
export interface Pn532Props {
  interface?: Pn532Interface;
  chipSelect?: number;
  speedHz?: number;
  address?: number;
  baudRate?: number;
  pollIntervalMs?: number;
  maxRetries?: number;
}

/** Where the chip is wired: the bus handle of the profile entry. */
export type Pn532Wiring =
  | { interface: 'spi'; bus: SpiBus }
  | { interface: 'i2c'; bus: I2cBus }
  | { interface: 'hsu'; opener: SerialOpener; path: string };

/** Opens the device handle for the wiring, builds the transport and opens the reader. */
export async function openPn532(wiring: Pn532Wiring, props: Pn532Props = {}): Promise<Pn532Reader> {
  const poll = { pollIntervalMs: props.pollIntervalMs ?? 2 };
  let transport: Pn532Transport;
  if (wiring.interface === 'spi') {
    const speedHz = props.speedHz ?? 1_000_000;
    if (speedHz > 5_000_000) throw new HalError('HAL_INVALID_ARGUMENT', `pn532: SPI clock ${speedHz} Hz exceeds the PN532's 5 MHz`);
    // SPI mode 0 (PN532 UM 6.2.5); LSB first is done by bit reversal in the transport.
    transport = new SpiPn532Transport(await wiring.bus.open(props.chipSelect ?? 0, { mode: 0, speedHz }), poll);
  } else if (wiring.interface === 'i2c') {
    transport = new I2cPn532Transport(await wiring.bus.open(props.address ?? PN532_I2C_ADDRESS), poll);
  } else {
    transport = new HsuPn532Transport(await wiring.opener.open(wiring.path, { baudRate: props.baudRate ?? 115200 }));
  }
  return Pn532Reader.open(props.maxRetries === undefined ? { transport } : { transport, maxRetries: props.maxRetries });
}
