/**
 * `pos console`: the technician console on a serial device (a real board's UART or USB
 * serial adapter), over the data folder's configuration, keys, users and audit log.
 * `pos run` starts the console itself on a board; this command serves a line on its own.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommandError, stringOpt, type Command } from './command.js';

function version(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      return (JSON.parse(readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8')) as { version: string }).version;
    } catch {
      // try the next layout (source or dist)
    }
  }
  return 'unknown';
}

const consoleCommand: Command = {
  summary: 'serve the technician console on a serial device',
  usage: `pos console [--data DIR] [--device PATH] [--baud RATE]

--data DIR      data folder (default: $POS_DATA, else ./data)
--device PATH   serial device (default: the console.device setting, /dev/serial0)
--baud RATE     line speed, 8N1 (default: the console.baudRate setting, 115200)

Connect with any terminal program, e.g. "picocom -b 115200 /dev/ttyUSB0". With no admin
or technician set (first boot, after a factory reset) the console asks for both first.
Ctrl-C or SIGTERM stops it.`,
  options: { data: { type: 'string' }, device: { type: 'string' }, baud: { type: 'string' } },
  async run(args, io) {
    if (args.positionals.length) throw new CommandError(`unexpected argument "${args.positionals[0]}"`, 2);
    const dataDir = path.resolve(stringOpt(args, 'data') ?? process.env.POS_DATA ?? 'data');
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const { openConsoleServices, TechnicianConsole } = await import('../console/index.js');
    let services;
    try {
      services = await openConsoleServices({ dataDir, version: version() });
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code) throw new CommandError(`${code}: ${(err as Error).message}`);
      throw err;
    }
    if (services.caKeys) {
      const { paymentsCheck } = await import('../board/emv-config.js');
      services = { ...services, paymentsCheck: paymentsCheck({ config: services.config, caKeys: services.caKeys }) };
    }
    const device = stringOpt(args, 'device') ?? services.config.get('console.device');
    const baudText = stringOpt(args, 'baud');
    if (baudText !== undefined && !/^(9600|19200|38400|57600|115200)$/.test(baudText)) throw new CommandError(`--baud: one of 9600, 19200, 38400, 57600, 115200; got "${baudText}"`, 2);
    const baudRate = baudText ? Number(baudText) : services.config.get('console.baudRate');
    // The serial backend is wired by the composition root's bus set (only src/board/ loads hal/linux).
    const { BusSet } = await import('../board/buses.js');
    const buses = new BusSet({
      name: 'console',
      file: '(pos console)',
      model: 'console',
      buses: { console: { name: 'console', kind: 'serial', backend: 'linux', device, baudRate } },
      devices: [],
      roles: {},
      testFixtures: {},
    });
    let link;
    try {
      link = (await buses.serialLink('console')).link;
    } catch (err) {
      throw new CommandError(`cannot open ${device}: ${(err as Error).message}`);
    }
    const console = new TechnicianConsole({ link, services });
    io.out(`pos console: serving ${device} at ${baudRate} 8N1 (data ${dataDir})\n`);
    const stop = (): void => void console.close();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await console.start();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await buses.close();
    io.out('pos console: stopped\n');
    return 0;
  },
};

export default consoleCommand;
