/**
 * The sim terminal's serial console cable: a socat pseudo-terminal pair, one end served by
 * the technician console, the other left for a person's terminal program (picocom, screen,
 * minicom at 115200 8N1), with a stable link in the data folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { SerialLink } from '../../hal/serial.js';

export interface ConsolePty {
  /** Where the technician connects (a symlink to the pty). */
  technicianPath: string;
  link: SerialLink;
  close(): Promise<void>;
}

export async function openConsolePty(dataDir: string): Promise<ConsolePty> {
  const technicianPath = path.join(dataDir, 'console-tty');
  const child: ChildProcess = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${technicianPath}`, 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  const ours = await new Promise<string>((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`socat made no pty pair: ${log}`)), 5000);
    child.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(err.code === 'ENOENT' ? new Error('socat is not installed (make setup installs it)') : err);
    });
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      const ptys = [...log.matchAll(/PTY is (\/dev\/\S+)/g)].map((m) => m[1]!);
      if (ptys.length === 2 && /starting data transfer loop/.test(log)) {
        clearTimeout(timer);
        resolve(ptys[1]!);
      }
    });
  });
  const { LinuxSerialOpener } = await import('../../hal/linux/serial.js');
  const link = await new LinuxSerialOpener().open(ours, { baudRate: 115200 });
  return {
    technicianPath,
    link,
    async close() {
      await link.close();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
