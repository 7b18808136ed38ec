/**
 * The control channel on a Unix domain socket: JSON lines, any number of clients. The
 * socket is made readable and writable by its owner only (it drives the terminal). A path
 * another live process listens on, or a path that is not a socket, is refused; a socket
 * file left behind by a process that died is replaced. The file is removed at close.
 */
import net from 'node:net';
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { createLogger } from '../log.js';
import { ControlError, LineSplitter, encodeMessage, type ControlMessage } from './protocol.js';
import type { ControlHub } from './hub.js';

const log = createLogger('pos:control');

/** A client that does not read its events is dropped once this much waits for it. */
const MAX_PENDING_BYTES = 4 * 1024 * 1024;

export interface ControlServer {
  readonly path: string;
  close(): Promise<void>;
}

/** Whether something accepts connections on the socket at `path`. */
function listening(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

async function claimPath(path: string): Promise<void> {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return; // free
  }
  if (!stat.isSocket()) throw new ControlError('CONTROL_PATH_IN_USE', `${path} exists and is not a socket; not replacing it`);
  if (await listening(path)) throw new ControlError('CONTROL_PATH_IN_USE', `${path}: another process is listening on it`);
  unlinkSync(path); // left behind by a process that died
}

export async function listenControl(hub: ControlHub, path: string): Promise<ControlServer> {
  await claimPath(path);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setEncoding('utf8');
    const send = (m: ControlMessage): void => {
      if (socket.destroyed || !socket.writable) return;
      if (socket.writableLength > MAX_PENDING_BYTES) {
        log.warn('control client dropped: it does not read its events');
        socket.destroy();
        return;
      }
      socket.write(encodeMessage(m));
    };
    const connection = hub.connect(send);
    const lines = new LineSplitter(
      (line) => connection.line(line),
      () => send({ error: { code: 'CONTROL_LINE_TOO_LONG', message: 'request line too long; discarded' } }),
    );
    socket.on('data', (chunk: string) => lines.push(chunk));
    socket.on('error', () => undefined); // a client that vanished: close follows
    socket.on('close', () => {
      sockets.delete(socket);
      connection.close();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new ControlError('CONTROL_PATH_IN_USE', `${path}: in use`) : new ControlError('CONTROL_FAILED', `${path}: ${err.message}`)),
    );
    server.listen(path, () => resolve());
  });
  try {
    chmodSync(path, 0o600);
  } catch {
    // Some filesystems keep their own modes; the socket still works.
  }
  let closing: Promise<void> | undefined;
  return {
    path,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }).then(() => {
        try {
          unlinkSync(path);
        } catch {
          // Already gone (server.close removes it on some platforms).
        }
      });
      return closing;
    },
  };
}
