/**
 * A virtual card for pcscd's vpcd reader driver (vsmartcard's vpcd, reader "Virtual PCD"):
 * the card connects to vpcd's TCP port (35963 for the first slot, 35964 for the second)
 * and answers what vpcd forwards. Connecting is inserting the card; closing the socket is
 * pulling it out. Framing (vsmartcard vpcd.c): every message in either direction is a
 * 2-byte big-endian length and that many bytes. From vpcd, a 1-byte message is a control
 * message (00 power off, 01 power on, 02 reset, 04 get ATR, answered with the ATR);
 * anything longer is a C-APDU, answered with the R-APDU.
 *
 * {@link VpcdCard} serves a card from the calling thread; {@link VpcdCardServer} serves
 * cards from a worker thread, built there from a {@link VpcdCardRecipe}, so that they keep
 * answering while the thread using the reader is blocked in a synchronous PC/SC call.
 */
import net from 'node:net';
import { Worker, isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
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
  /**
   * Keep trying to connect for this long (vpcd listens only once pcscd has loaded it, and
   * again a moment after pcscd restarts). Default 0: one attempt.
   */
  retryForMs?: number;
  /**
   * The index (0 = the first) of the C-APDU at which the card stops, unanswered, until
   * {@link VpcdCard.resume} (answer it) or {@link VpcdCard.remove} (pulled out mid-APDU).
   */
  stopAt?: number;
}

/** One card in one vpcd slot. */
export class VpcdCard {
  /** Every C-APDU the card answered and its R-APDU, in order, for tests that compare exchanges. */
  readonly exchanges: Array<{ capdu: Uint8Array; rapdu: Uint8Array }> = [];
  private buffer = Buffer.alloc(0);
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly closedPromise: Promise<void>;
  private commands = 0;
  private gate: { index: number; capdu: Uint8Array; open: () => void } | undefined;
  private readonly stopListeners = new Set<(index: number, capdu: Uint8Array) => void>();

  private constructor(
    private readonly socket: net.Socket,
    private readonly card: VirtualContactCard,
    private readonly stopAt: number | undefined,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.receive(chunk));
    this.closedPromise = new Promise((resolve) => socket.once('close', () => {
      this.closed = true;
      this.gate?.open();
      resolve();
    }));
    socket.on('error', () => undefined);
  }

  /** Inserts `card` into vpcd's slot: resolves once the TCP connection stands. */
  static async insert(card: VirtualContactCard, options: VpcdCardOptions = {}): Promise<VpcdCard> {
    const end = Date.now() + (options.retryForMs ?? 0);
    for (;;) {
      try {
        return new VpcdCard(await VpcdCard.connect(options), card, options.stopAt);
      } catch (err) {
        if (Date.now() >= end) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  private static connect(options: VpcdCardOptions): Promise<net.Socket> {
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
        resolve(socket);
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

  /** Calls `listener` when the card stops at the `stopAt` command (at once if it has). */
  onStop(listener: (index: number, capdu: Uint8Array) => void): void {
    this.stopListeners.add(listener);
    if (this.gate) listener(this.gate.index, this.gate.capdu);
  }

  /** Answers the command the card stopped at (see `stopAt`). */
  resume(): void {
    this.gate?.open();
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
    const index = this.commands++;
    if (index === this.stopAt) {
      await new Promise<void>((open) => {
        this.gate = { index, capdu: msg, open };
        for (const l of this.stopListeners) l(index, msg);
      });
      this.gate = undefined;
      if (this.closed) return;
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

// ---- the card server on its own thread ----

/**
 * How the card server's thread builds a card: an ES module (a `file:` URL) and the name of
 * its exported function, called with `args` (structured-cloneable values), returning the
 * card. A card is code and state, so it is built where it is served.
 */
export interface VpcdCardRecipe {
  readonly module: string;
  readonly factory: string;
  readonly args?: readonly unknown[];
}

type ToThread =
  | { readonly vpcd: number; readonly op: 'insert'; readonly card: number; readonly recipe: VpcdCardRecipe; readonly options: VpcdCardOptions }
  | { readonly vpcd: number; readonly op: 'remove' | 'resume' | 'exchanges'; readonly card: number };

type FromThread =
  | { readonly vpcd: number; readonly ok: true; readonly exchanges?: Array<{ capdu: Uint8Array; rapdu: Uint8Array }> }
  | { readonly vpcd: number; readonly ok: false; readonly code: HalError['code']; readonly message: string }
  | { readonly vpcd: 0; readonly event: 'stopped'; readonly card: number; readonly index: number; readonly capdu: Uint8Array }
  | { readonly vpcd: 0; readonly event: 'out'; readonly card: number };

const THREAD_MARK = 'posVpcdCardServer';

/**
 * The vpcd card server on a worker thread, so that the cards keep answering while the
 * thread that uses the reader stands still in a synchronous PC/SC call (the `smartcard`
 * addon's SCardDisconnect, SCardReleaseContext and status calls are synchronous, and pcscd
 * may talk to the card inside them). One thread serves any number of cards, one after
 * another or side by side in vpcd's two slots. The thread does not keep the process alive
 * while no call to it is pending.
 */
export class VpcdCardServer {
  private readonly pending = new Map<number, { resolve: (m: FromThread) => void; reject: (err: unknown) => void }>();
  private readonly cards = new Map<number, ServedVpcdCard>();
  private nextId = 1;
  private exited = false;
  private readonly exit: Promise<void>;

  private constructor(private readonly worker: Worker) {
    worker.unref();
    // Only our own messages: a test runner's loader may post on the same port.
    worker.on('message', (m: unknown) => {
      if (typeof m === 'object' && m !== null && 'vpcd' in m) this.receive(m as FromThread);
    });
    this.exit = new Promise((resolve) => {
      worker.once('exit', () => {
        this.exited = true;
        const gone = new HalError('HAL_CLOSED', 'vpcd card server: the thread ended');
        for (const p of this.pending.values()) p.reject(gone);
        this.pending.clear();
        for (const c of this.cards.values()) c.gone();
        resolve();
      });
    });
    worker.on('error', () => undefined);
  }

  /** Starts the thread (it loads this module again on its side). */
  static async start(): Promise<VpcdCardServer> {
    const worker = new Worker(new URL(import.meta.url), { workerData: { [THREAD_MARK]: true } });
    await new Promise<void>((resolve, reject) => {
      worker.once('online', resolve);
      worker.once('error', reject);
    });
    return new VpcdCardServer(worker);
  }

  /** Builds a card from `recipe` on the thread and inserts it into vpcd's slot (see {@link VpcdCard.insert}). */
  async insert(recipe: VpcdCardRecipe, options: VpcdCardOptions = {}): Promise<ServedVpcdCard> {
    const id = this.nextId++;
    const card = new ServedVpcdCard(this, id);
    this.cards.set(id, card);
    try {
      await this.call({ vpcd: 0, op: 'insert', card: id, recipe, options });
    } catch (err) {
      this.cards.delete(id);
      throw err;
    }
    return card;
  }

  /** @internal */
  async call(message: ToThread): Promise<FromThread> {
    if (this.exited) throw new HalError('HAL_CLOSED', 'vpcd card server: closed');
    const id = this.nextId++;
    const answer = new Promise<FromThread>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.worker.ref();
    this.worker.postMessage({ ...message, vpcd: id });
    try {
      const m = await answer;
      if ('ok' in m && !m.ok) throw new HalError(m.code, m.message);
      return m;
    } finally {
      if (this.pending.size === 0 && !this.exited) this.worker.unref();
    }
  }

  private receive(m: FromThread): void {
    if ('event' in m) {
      const card = this.cards.get(m.card);
      if (m.event === 'stopped') card?.stoppedAt(m.index, m.capdu);
      else {
        card?.gone();
        this.cards.delete(m.card);
      }
      return;
    }
    const p = this.pending.get(m.vpcd);
    this.pending.delete(m.vpcd);
    p?.resolve(m);
  }

  /** Pulls every card out and ends the thread. */
  async close(): Promise<void> {
    if (this.exited) return;
    await this.worker.terminate();
    await this.exit;
  }
}

/** A card served by a {@link VpcdCardServer}: what the test or tool holds. */
export class ServedVpcdCard {
  private isOut = false;
  private readonly outPromise: Promise<void>;
  private markOut!: () => void;
  private readonly stopListeners = new Set<(index: number, capdu: Uint8Array) => void>();
  private stop: { index: number; capdu: Uint8Array } | undefined;

  /** @internal */
  constructor(
    private readonly server: VpcdCardServer,
    readonly id: number,
  ) {
    this.outPromise = new Promise((resolve) => (this.markOut = resolve));
  }

  get inserted(): boolean {
    return !this.isOut;
  }

  /** Resolves when the card is out (pulled, or vpcd went away). */
  get out(): Promise<void> {
    return this.outPromise;
  }

  /** Resolves with the command the card stopped at (option `stopAt`), unanswered. */
  stopped(): Promise<{ index: number; capdu: Uint8Array }> {
    return new Promise((resolve) => {
      if (this.stop) resolve(this.stop);
      else this.stopListeners.add((index, capdu) => resolve({ index, capdu }));
    });
  }

  /** @internal The thread says the card stopped. */
  stoppedAt(index: number, capdu: Uint8Array): void {
    this.stop = { index, capdu };
    for (const l of this.stopListeners) l(index, capdu);
  }

  /** Answers the command the card stopped at. */
  async resume(): Promise<void> {
    await this.server.call({ vpcd: 0, op: 'resume', card: this.id });
  }

  /** Every C-APDU the card answered and its R-APDU, in order (the card's side of the wire). */
  async exchanges(): Promise<Array<{ capdu: Uint8Array; rapdu: Uint8Array }>> {
    const m = await this.server.call({ vpcd: 0, op: 'exchanges', card: this.id });
    return 'exchanges' in m && m.exchanges ? m.exchanges : [];
  }

  /** Pulls the card out (mid-APDU when it is stopped); resolves once it is out. */
  async remove(): Promise<void> {
    if (this.isOut) return;
    await this.server.call({ vpcd: 0, op: 'remove', card: this.id }).catch(() => undefined);
    await this.outPromise;
  }

  /** @internal */
  gone(): void {
    this.isOut = true;
    this.markOut();
  }
}

/** Builds the card a recipe names (on whichever thread calls it). */
export async function buildCard(recipe: VpcdCardRecipe): Promise<VirtualContactCard> {
  const mod = (await import(recipe.module)) as Record<string, unknown>;
  const factory = mod[recipe.factory];
  if (typeof factory !== 'function') throw new HalError('HAL_INVALID_ARGUMENT', `vpcd card recipe: ${recipe.module} exports no function "${recipe.factory}"`);
  return (await (factory as (...args: unknown[]) => unknown)(...(recipe.args ?? []))) as VirtualContactCard;
}

/** The thread's side: builds cards from recipes and serves them with {@link VpcdCard}. */
function serveOnThisThread(port: MessagePort): void {
  const cards = new Map<number, VpcdCard>();
  const reply = (m: FromThread): void => port.postMessage(m);
  const handle = async (m: ToThread): Promise<void> => {
    if (m.op === 'insert') {
      const served = await VpcdCard.insert(await buildCard(m.recipe), m.options);
      cards.set(m.card, served);
      served.onStop((index, capdu) => reply({ vpcd: 0, event: 'stopped', card: m.card, index, capdu }));
      // The card stays known after it is out: its exchanges can still be asked for.
      void served.out.then(() => reply({ vpcd: 0, event: 'out', card: m.card }));
      reply({ vpcd: m.vpcd, ok: true });
      return;
    }
    const card = cards.get(m.card);
    if (m.op === 'exchanges') reply({ vpcd: m.vpcd, ok: true, exchanges: card?.exchanges ?? [] });
    else {
      if (m.op === 'resume') card?.resume();
      else await card?.remove();
      reply({ vpcd: m.vpcd, ok: true });
    }
  };
  port.on('message', (m: unknown) => {
    if (typeof m !== 'object' || m === null || !('vpcd' in m)) return;
    const msg = m as ToThread;
    handle(msg).catch((err: unknown) => {
      const code = err instanceof HalError ? err.code : 'HAL_IO';
      reply({ vpcd: msg.vpcd, ok: false, code, message: err instanceof Error ? err.message : String(err) });
    });
  });
}

if (!isMainThread && parentPort !== null && (workerData as Record<string, unknown> | null)?.[THREAD_MARK] === true) serveOnThisThread(parentPort);
