/**
 * The channel only frames (jPOS's ISOChannel): each message travels behind a length
 * header, a 2-byte binary big-endian length (the common "NAC/post" framing) or 4 ASCII
 * digits. TCP with optional TLS (a pinned CA and the terminal's own identity); a
 * loopback pair in memory for tests. Reconnection is the client's job.
 */
import net from 'node:net';
import tls from 'node:tls';
import { HostError } from './errors.js';

export type LengthHeader = 'binary2' | 'ascii4';

export interface Channel {
  readonly connected: boolean;
  /** Sends one framed message. */
  send(frame: Uint8Array): Promise<void>;
  /** Whole messages (without header), in arrival order. */
  onFrame(listener: (frame: Uint8Array) => void): () => void;
  /** Called once when the connection ends; `error` says why when it was not close(). */
  onClose(listener: (error?: HostError) => void): () => void;
  close(): Promise<void>;
}

export const MAX_FRAME = 9999;

export function encodeHeader(kind: LengthHeader, length: number): Uint8Array {
  if (length > (kind === 'binary2' ? 0xffff : 9999)) throw new HostError('HOST_FRAME', `message of ${length} bytes does not fit a ${kind} header`);
  if (kind === 'binary2') return Uint8Array.of(length >> 8, length & 0xff);
  return Buffer.from(String(length).padStart(4, '0'), 'latin1');
}

/** Reassembles frames from a byte stream; errors on a malformed or oversize header. */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  constructor(
    private readonly kind: LengthHeader,
    private readonly maxFrame = MAX_FRAME,
  ) {}

  push(chunk: Uint8Array): Uint8Array[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : Buffer.from(chunk);
    const frames: Uint8Array[] = [];
    const headerSize = this.kind === 'binary2' ? 2 : 4;
    for (;;) {
      if (this.pending.length < headerSize) break;
      let length: number;
      if (this.kind === 'binary2') length = this.pending.readUInt16BE(0);
      else {
        const text = this.pending.toString('latin1', 0, 4);
        if (!/^\d{4}$/.test(text)) throw new HostError('HOST_FRAME', `length header "${text.replace(/[^\x20-\x7e]/g, '?')}" is not 4 ASCII digits`);
        length = Number(text);
      }
      if (length === 0 || length > this.maxFrame) throw new HostError('HOST_FRAME', `frame length ${length} outside 1..${this.maxFrame}`);
      if (this.pending.length < headerSize + length) break;
      frames.push(Uint8Array.prototype.slice.call(this.pending, headerSize, headerSize + length));
      this.pending = this.pending.subarray(headerSize + length);
    }
    return frames;
  }
}

class SocketChannel implements Channel {
  private readonly frameListeners = new Set<(f: Uint8Array) => void>();
  private readonly closeListeners = new Set<(e?: HostError) => void>();
  private readonly decoder: FrameDecoder;
  private open = true;
  private closing = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly header: LengthHeader,
  ) {
    this.decoder = new FrameDecoder(header);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      let frames: Uint8Array[];
      try {
        frames = this.decoder.push(chunk);
      } catch (err) {
        this.fail(err as HostError);
        return;
      }
      for (const f of frames) for (const l of [...this.frameListeners]) if (this.open) l(f);
    });
    socket.on('error', (err) => this.fail(new HostError('HOST_DISCONNECTED', `connection error: ${err.message}`, undefined, undefined, { cause: err })));
    socket.on('close', () => this.fail(new HostError('HOST_DISCONNECTED', 'the host closed the connection')));
  }

  get connected(): boolean {
    return this.open;
  }

  private fail(err: HostError): void {
    if (!this.open) return;
    this.open = false;
    this.socket.destroy();
    const listeners = [...this.closeListeners];
    this.closeListeners.clear();
    this.frameListeners.clear();
    if (!this.closing) for (const l of listeners) l(err);
  }

  send(frame: Uint8Array): Promise<void> {
    if (!this.open) return Promise.reject(new HostError('HOST_CLOSED', 'send on a closed channel'));
    const data = Buffer.concat([encodeHeader(this.header, frame.length), frame]);
    return new Promise((resolve, reject) => {
      this.socket.write(data, (err) => (err ? reject(new HostError('HOST_DISCONNECTED', `send failed: ${err.message}`)) : resolve()));
    });
  }

  onFrame(listener: (f: Uint8Array) => void): () => void {
    this.frameListeners.add(listener);
    return () => void this.frameListeners.delete(listener);
  }

  onClose(listener: (e?: HostError) => void): () => void {
    this.closeListeners.add(listener);
    return () => void this.closeListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (!this.open) return;
    this.closing = true;
    await new Promise<void>((resolve) => {
      this.socket.end(() => resolve());
      setTimeout(resolve, 200).unref();
    });
    this.fail(new HostError('HOST_CLOSED', 'closed'));
  }
}

export interface TlsOptions {
  /** PEM of the acquirer's CA: the only CA the host certificate may chain to (pinned). */
  ca: string;
  /** The terminal's own certificate and key (PEM), when the host asks for a client certificate. */
  cert?: string;
  key?: string;
  /** Name expected in the host certificate (default: the host). */
  servername?: string;
}

export interface ConnectOptions {
  host: string;
  port: number;
  header?: LengthHeader;
  connectTimeoutMs?: number;
  tls?: TlsOptions;
}

/** Connects to the host; rejects with HOST_CONNECT (or HOST_TLS) within the time limit. */
export function connectChannel(options: ConnectOptions): Promise<Channel> {
  const header = options.header ?? 'binary2';
  const timeoutMs = options.connectTimeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    // net.connect throws on a port out of range, synchronously: a clear HOST_CONNECT instead,
    // and no connect timer left armed (it crashed the process destroying a socket never made).
    if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
      reject(new HostError('HOST_CONNECT', `${options.host}:${String(options.port)}: not a TCP port`));
      return;
    }
    let socket: net.Socket;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new HostError('HOST_CONNECT', `no connection to ${options.host}:${options.port} within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(new SocketChannel(socket, header));
    };
    const failed = (err: Error): void => {
      clearTimeout(timer);
      const code = options.tls && !/ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT/.test(err.message) ? 'HOST_TLS' : 'HOST_CONNECT';
      reject(new HostError(code, `${options.host}:${options.port}: ${err.message}`, undefined, undefined, { cause: err }));
    };
    if (options.tls) {
      socket = tls.connect({
        host: options.host,
        port: options.port,
        ca: options.tls.ca,
        ...(options.tls.cert ? { cert: options.tls.cert } : {}),
        ...(options.tls.key ? { key: options.tls.key } : {}),
        // RFC 6066 3: no SNI for an IP address (the certificate is then checked against the IP itself).
        ...(options.tls.servername !== undefined || net.isIP(options.host) === 0 ? { servername: options.tls.servername ?? options.host } : {}),
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
      });
      socket.once('secureConnect', done);
    } else {
      socket = net.connect({ host: options.host, port: options.port });
      socket.once('connect', done);
    }
    socket.once('error', failed);
  });
}

/** Serves framed connections (the acquirer simulator's side). */
export function serveChannels(
  options: { port: number; host?: string; header?: LengthHeader; tls?: { cert: string; key: string; ca?: string; requestCert?: boolean } },
  onChannel: (channel: Channel) => void,
): Promise<{ port: number; close(): Promise<void> }> {
  const header = options.header ?? 'binary2';
  const sockets = new Set<net.Socket>();
  const accept = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    onChannel(new SocketChannel(socket, header));
  };
  const server = options.tls
    ? tls.createServer({ cert: options.tls.cert, key: options.tls.key, ...(options.tls.ca ? { ca: options.tls.ca } : {}), requestCert: options.tls.requestCert ?? false, rejectUnauthorized: options.tls.requestCert ?? false }, accept)
    : net.createServer(accept);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      resolve({
        port: address.port,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}

/** Two connected in-memory channels (tests, the embedded simulator without sockets). */
export function loopbackChannels(): [Channel, Channel] {
  const a = new LoopbackChannel();
  const b = new LoopbackChannel();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

class LoopbackChannel implements Channel {
  peer: LoopbackChannel | undefined;
  private readonly frameListeners = new Set<(f: Uint8Array) => void>();
  private readonly closeListeners = new Set<(e?: HostError) => void>();
  private open = true;

  get connected(): boolean {
    return this.open;
  }

  async send(frame: Uint8Array): Promise<void> {
    if (!this.open) throw new HostError('HOST_CLOSED', 'send on a closed channel');
    const copy = Uint8Array.from(frame);
    setImmediate(() => this.peer?.deliver(copy));
  }

  private deliver(f: Uint8Array): void {
    if (this.open) for (const l of [...this.frameListeners]) l(f);
  }

  private drop(e?: HostError): void {
    if (!this.open) return;
    this.open = false;
    const listeners = [...this.closeListeners];
    this.closeListeners.clear();
    this.frameListeners.clear();
    for (const l of listeners) l(e);
  }

  onFrame(listener: (f: Uint8Array) => void): () => void {
    this.frameListeners.add(listener);
    return () => void this.frameListeners.delete(listener);
  }

  onClose(listener: (e?: HostError) => void): () => void {
    this.closeListeners.add(listener);
    return () => void this.closeListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (!this.open) return;
    this.closeListeners.clear();
    this.drop();
    this.peer?.drop(new HostError('HOST_DISCONNECTED', 'the other end closed'));
  }
}
