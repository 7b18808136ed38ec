// The two ends of a serial cable for the serial parts' tests: a real pseudo-terminal pair
// (socat) with the Linux serial backend on both ends, or a sim serial pair.
import type { SerialLink } from '../../hal/serial.js';
import { LinuxSerialOpener } from '../../hal/linux/serial.js';
import { createSimSerialPair } from '../../hal/sim/serial.js';
import { openPtyPair } from '../linux/pty-pair.js';

/** The two ends of a serial cable: the driver's and the model's. */
export interface Ends {
  driver: SerialLink;
  device: SerialLink;
  /** Closes both ends (and the pty pair). */
  stop(): Promise<void>;
}

/** A socat pty pair with the Linux serial backend open on each end (9600 baud). */
export async function ptyEnds(): Promise<Ends> {
  const opener = new LinuxSerialOpener();
  const pair = await openPtyPair((path) => opener.open(path, { baudRate: 9600 }));
  const [driver, device] = pair.ends;
  return {
    driver,
    device,
    stop: async () => {
      await driver.close();
      await device.close();
      await pair.kill();
    },
  };
}

/** The same over a sim serial pair, for the runs that need no real tty. */
export function simSerialEnds(name: string): Promise<Ends> {
  const { driver, device } = createSimSerialPair({ name });
  return Promise.resolve({ driver, device, stop: () => device.close() });
}
