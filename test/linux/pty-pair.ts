// A linked pseudo-terminal pair made by socat (hardware.md 4.4), for running the serial
// contract over real ttys. socat must be installed (`make setup` installs it).
//
// `wait-slave` makes socat treat the close of either tty as the end of the cable: it reads
// EIO on that pty's master, exits, and the other end sees its line hang up. Without it socat
// keeps running when one end closes (verified here with socat 1.7.4.4). With it socat
// creates the second pty only once the first is open, so the ends are opened in turn.
import { spawn } from 'node:child_process';

export interface PtyPair<T> {
  paths: [string, string];
  ends: [T, T];
  /** Kills socat (the far end of both ttys goes away); resolves when it has exited. */
  kill(): Promise<void>;
}

export async function openPtyPair<T>(open: (path: string) => Promise<T>, timeoutMs = 5000): Promise<PtyPair<T>> {
  const child = spawn('socat', ['-d', '-d', 'pty,raw,echo=0,wait-slave,pty-interval=0.01', 'pty,raw,echo=0,wait-slave,pty-interval=0.01'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  let stderr = '';
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  child.once('error', (err: NodeJS.ErrnoException) => {
    failure = err.code === 'ENOENT' ? new Error('socat is not installed: run `make setup` (it installs the Debian package socat)') : err;
    wake?.();
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr += text;
    wake?.();
  });
  const until = async <R>(found: () => R | undefined): Promise<R> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (failure) throw failure;
      const value = found();
      if (value !== undefined) return value;
      if (Date.now() > deadline || child.exitCode !== null) {
        await kill();
        throw new Error(`socat did not set up a pty pair within ${timeoutMs} ms: ${stderr}`);
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 50);
      });
    }
  };
  const pty = (n: number) => () => [...stderr.matchAll(/PTY is (\/dev\/\S+)/g)][n]?.[1];
  try {
    const first = await until(pty(0));
    const a = await open(first);
    const second = await until(pty(1));
    const b = await open(second);
    await until(() => (/starting data transfer loop/.test(stderr) ? true : undefined));
    return { paths: [first, second], ends: [a, b], kill };
  } catch (err) {
    await kill();
    throw err;
  }
}
