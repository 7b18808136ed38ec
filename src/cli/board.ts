/** `pos board`: board profiles (boards/*.json). */
import { flag, printJson, UsageError, type Command } from './command.js';
import { isBoardError } from '../../boards/errors.js';
import { listBoards, loadBoard } from '../../boards/loader.js';

const check: Command = {
  summary: 'check a board profile: every problem with its JSON path, or "ok"',
  usage: `pos board check NAME|FILE [--json]

NAME is a profile in boards/ (e.g. sim, rpi4-pos); FILE is a path to a .json profile.
Prints "ok" and exits 0 when the profile is valid; prints every problem, one per line
as "file: path: what was expected", and exits 1 when it is not.
--json prints {ok, file, ...}: on success name, model, devices and roles; on failure
code (BOARD_NOT_FOUND, BOARD_SYNTAX, BOARD_INVALID, ...) and problems [{path, message}].`,
  options: { json: { type: 'boolean' } },
  run(args, io) {
    if (args.positionals.length !== 1) throw new UsageError('expected one profile: a board name (e.g. sim) or a .json file');
    const json = flag(args, 'json');
    try {
      const board = loadBoard(args.positionals[0]!);
      if (json) {
        printJson(io, { ok: true, file: board.file, name: board.name, model: board.model, devices: board.devices.map((d) => ({ name: d.name, compatible: d.compatible })), roles: board.roles });
      } else {
        const roles = Object.entries(board.roles).map(([role, device]) => `${role}=${device}`).join(', ') || 'none';
        io.out(`${board.file}: ok (${board.model}; ${board.devices.length} devices; roles: ${roles})\n`);
      }
      return 0;
    } catch (err) {
      if (!isBoardError(err)) throw err;
      if (json) printJson(io, { ok: false, file: err.file, code: err.code, problems: err.problems });
      else io.err(`${err.message}\n`);
      return 1;
    }
  },
};

const list: Command = {
  summary: 'list the board profiles in boards/',
  usage: 'pos board list [--json]',
  options: { json: { type: 'boolean' } },
  run(args, io) {
    const names = listBoards();
    if (flag(args, 'json')) printJson(io, names);
    else io.out(names.map((n) => `${n}\n`).join(''));
    return 0;
  },
};

const board: Command = {
  summary: 'board profiles: check one, list them',
  subcommands: { check: async () => check, list: async () => list },
};

export default board;
