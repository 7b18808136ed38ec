/**
 * A virtual card for pcscd's vpcd reader driver (vsmartcard's vpcd, reader "Virtual PCD"):
 * the card connects to vpcd's TCP port (35963 for the first slot, 35964 for the second)
 * and answers what vpcd forwards. Connecting is inserting the card; closing the socket is
 * pulling it out. Framing (vsmartcard vpcd.c): every message in either direction is a
 * 2-byte big-endian length and that many bytes. From vpcd, a 1-byte message is a control
 * message (00 power off, 01 power on, 02 reset, 04 get ATR, answered with the ATR);
 * anything longer is a C-APDU, answered with the R-APDU.
 */
import net from 'node:net';
import { HalError } from '../errors.js';
import type { VirtualContactCard } from '../pcsc.js';

export const VPCD_DEFAULT_PORT = 35963;

const CTRL = { POWER_OFF: 0x00, POWER_ON: 0x01, RESET: 0x02, GET_ATR: 0x04 } as const;

export interface VpcdCardOptions {
  host?: string;
  /** vpcd's port: 35963 (reader "Virtual PCD 00 00") by default. */
  port?: number;
  /** Time limit for the connection to vpcd. Default 3000 ms. */
  timeoutMs?: number;
}

/** One card in one vpcd slot. */
export class VpcdCard {
  /** Every C-APDU the card got and its answer, uppercase hex, for tests that compare exchanges. */
  readonly exchanges: Array<{ capdu: Uint8Array; rapdu: Uint8Array }> = [];
  private buffer = Buffer.alloc(0);
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly closedPromise: Promise<void>;

  private constructor(
    private readonly socket: net.Socket,
    private readonly card: VirtualContactCard,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.receive(chunk));
    this.closedPromise = new Promise((resolve) => socket.once('close', () => {
      this.closed = true;
      resolve();
    }));
    socket.on('error', () => undefined);
  }

  /** Inserts `card` into vpcd's slot: resolves once the TCP connection stands. */
  static insert(card: VirtualContactCard, options: VpcdCardOptions = {}): Promise<VpcdCard> {
    const host = options.host ?? '127.0.0.1';
    const port = options.port ?? VPCD_DEFAULT_PORT;
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new HalError('HAL_TIMEOUT', `vpcd ${host}:${port}: no connection within ${options.timeoutMs ?? 3000} ms`));
      }, options.timeoutMs ?? 3000);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new VpcdCard(socket, card));
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new HalError(err.code === 'ECONNREFUSED' ? 'HAL_NOT_FOUND' : 'HAL_IO', `vpcd ${host}:${port}: ${err.code ?? err.message} (is pcscd with vsmartcard-vpcd running?)`, { cause: err }));
      });
    });
  }

  get inserted(): boolean {
    return !this.closed;
  }

  /** Resolves when the card is out (removed by us or vpcd went away). */
  get out(): Promise<void> {
    return this.closedPromise;
  }

  /** Pulls the card out (closes the connection); resolves once the socket is closed. */
  async remove(): Promise<void> {
    if (!this.closed) this.socket.destroy();
    await this.closedPromise;
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 2) {
      const n = this.buffer.readUInt16BE(0);
      if (this.buffer.length < 2 + n) break;
      const msg = Uint8Array.from(this.buffer.subarray(2, 2 + n));
      this.buffer = this.buffer.subarray(2 + n);
      // Answers go back in order even when the card answers asynchronously.
      this.queue = this.queue.then(() => this.handle(msg));
    }
  }

  private async handle(msg: Uint8Array): Promise<void> {
    if (this.closed) return;
    if (msg.length === 1) {
      switch (msg[0]) {
        case CTRL.GET_ATR:
          // A mute card has no ATR; an empty answer would mean "no card" to vpcd, so it sends
          // a byte that is no TS (ISO/IEC 7816-3 8.1: TS is 3B or 3F).
          this.send(this.card.atr.length > 0 ? this.card.atr : Uint8Array.of(0x00));
          return;
        case CTRL.POWER_ON:
        case CTRL.RESET:
          this.card.reset?.();
          return;
        default:
          return;
      }
    }
    let rapdu: Uint8Array;
    try {
      rapdu = Uint8Array.from(await this.card.transceive(msg));
    } catch {
      // The card stopped answering: it is out of the slot.
      this.socket.destroy();
      return;
    }
    this.exchanges.push({ capdu: msg, rapdu });
    this.send(rapdu);
  }

  private send(data: Uint8Array): void {
    if (this.closed) return;
    const frame = Buffer.alloc(2 + data.length);
    frame.writeUInt16BE(data.length, 0);
    frame.set(data, 2);
    this.socket.write(frame);
  }
}
