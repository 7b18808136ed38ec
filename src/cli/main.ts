#!/usr/bin/env node
/**
 * Entry point of the `pos` command (package.json bin.pos -> dist/src/cli/main.js).
 * Imports nothing heavy: each subcommand module is loaded only when it runs.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { commands } from './commands.js';
import { CommandError, UsageError, parse, type Command, type CommandIo } from './command.js';

const io: CommandIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  stdin: async () => {
    if (process.stdin.isTTY) return '';
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
};

const root: Command = {
  summary: 'open reference card-payment terminal',
  subcommands: commands,
  options: { version: { type: 'boolean' } },
};

function listing(cmd: Command): string {
  const subs = Object.keys(cmd.subcommands ?? {});
  return subs.length ? `\ncommands:\n${subs.map((s) => `  ${s}`).join('\n')}\n` : '';
}

async function helpText(cmd: Command, path: string[]): Promise<string> {
  let text = `usage: pos ${path.join(' ')}${cmd.subcommands ? ' <command>' : ''} [options]\n\n${cmd.summary}\n`;
  if (cmd.usage) text += `\n${cmd.usage.trimEnd()}\n`;
  if (cmd.subcommands) {
    const names = Object.keys(cmd.subcommands);
    const loaded = await Promise.all(names.map((n) => cmd.subcommands![n]!()));
    const width = Math.max(...names.map((n) => n.length));
    text += `\ncommands:\n${names.map((n, i) => `  ${n.padEnd(width)}  ${loaded[i]!.summary}`).join('\n')}\n`;
    text += `\nRun "pos ${[...path, '<command>'].join(' ')} --help" for a command's options.\n`;
  }
  return text;
}

export async function runCli(argv: string[], cliIo: CommandIo = io): Promise<number> {
  let cmd = root;
  const path: string[] = [];
  let rest = argv;
  // Walk down the command tree: the first positional that names a subcommand descends.
  for (;;) {
    if (!cmd.subcommands) break;
    // The first positional naming a subcommand descends; any other positional before it
    // is the value of a flag given early (`pos config --data DIR set ...`).
    const subs = cmd.subcommands;
    const positionals = rest.map((a, i) => [a, i] as const).filter(([a]) => !a.startsWith('-'));
    const hit = positionals.find(([a]) => Object.hasOwn(subs, a));
    const [name, idx] = hit ?? positionals[0] ?? [undefined, -1];
    if (name === undefined) break;
    const load = Object.hasOwn(subs, name) ? subs[name] : undefined;
    if (!load) {
      cliIo.err(`pos ${path.join(' ')}${path.length ? ' ' : ''}${name}: unknown command${listing(cmd)}`);
      return 2;
    }
    cmd = await load();
    path.push(name);
    rest = [...rest.slice(0, idx), ...rest.slice(idx + 1)];
  }
  const where = `pos${path.length ? ' ' + path.join(' ') : ''}`;
  try {
    const args = parse(cmd, rest, path);
    if (args.values.help === true) {
      cliIo.out(await helpText(cmd, path));
      return 0;
    }
    if (cmd === root && args.values.version === true) {
      const pkg = JSON.parse(readFileSync(packageJsonPath(), 'utf8')) as { version: string };
      cliIo.out(`${pkg.version}\n`);
      return 0;
    }
    if (!cmd.run) {
      cliIo.err(`${where}: a command is needed${listing(cmd)}\nRun "${where} --help" for more.\n`);
      return 2;
    }
    return await cmd.run(args, cliIo);
  } catch (err) {
    if (err instanceof UsageError) {
      cliIo.err(`${where}: ${err.message}\nRun "${where} --help" for usage.\n`);
      return 2;
    }
    if (err instanceof CommandError) {
      cliIo.err(`${where}: ${err.message}\n`);
      return err.exitCode;
    }
    const e = err as { code?: unknown; message?: unknown };
    const code = typeof e.code === 'string' ? `${e.code}: ` : '';
    cliIo.err(`${where}: ${code}${String(e.message ?? err)}\n`);
    if (process.env.POS_DEBUG) cliIo.err(`${(err as Error).stack ?? ''}\n`);
    return 1;
  }
}

/** package.json from src/cli (tests, tsx) or dist/src/cli (compiled). */
function packageJsonPath(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Error('package.json not found');
}

const isMain = process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`pos: ${String((err as Error)?.message ?? err)}\n`);
      process.exitCode = 1;
    },
  );
}
