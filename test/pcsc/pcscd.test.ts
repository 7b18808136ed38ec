// The contact reader through the real PC/SC stack: pcscd (started here in the foreground,
// stopped at the end) with vsmartcard's vpcd reader driver, the Linux backend on the
// `smartcard` addon, the cards served by the vpcd card server on its own thread. pcscd's
// socket lives in a fixed folder (/run/pcscd), so every pcscd test is in this one file and
// runs in sequence.
// - the contact scenarios of scenarios.ts (as sim.test.ts runs them on the sim backend);
// - every contact card of the catalogue, over T=1 and T=0, through pcscd and through the
//   sim backend, the full kernel to the outcome: the same outcome, and the same APDU
//   exchanges on the kernel's side and on the card's side of the reader;
// - a card pulled out at a chosen APDU, pcscd killed mid-transaction and pcscd restarted,
//   with the kernel on top: a transport error apart from outcomes, out of service, then a
//   transaction again; nothing left running.
// The card server runs on a worker thread because some calls of the addon are synchronous
// (SCardDisconnect, SCardReleaseContext, the status poll) and pcscd may talk to the card
// inside them: a card answering from this thread could not answer then.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LinuxPcscContext } from '../../hal/linux/pcsc.js';
import { VpcdCardServer, type ServedVpcdCard, type VpcdCardOptions, type VpcdCardRecipe } from '../../hal/sim/vpcd.js';
import { PcscContactReader } from '../../hal/devices/pcsc/contact.js';
import { isContactError } from '../../hal/roles/contact.js';
import { buildTerminal } from '../../src/board/build.js';
import { toHex } from '../../emv/bytes.js';
import { isEmvError } from '../../emv/errors.js';
import { contactScenarios, simRig, waitFor, type Rig } from './scenarios.js';
import { recipes } from './cards.js';
import { CONTACT_CARDS, assertRun, runCard, stable } from './catalogue.js';

const PCSCD = '/usr/sbin/pcscd';
const VPCD_DRIVER = '/usr/lib/pcsc/drivers/serial/libifdvpcd.so';
const SOCKET = '/run/pcscd/pcscd.comm';

/** The pid of a live (not zombie) pcscd process, from /proc. */
function runningPcscd(): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (/^\d+ \(pcscd\) [^Z]/.test(stat)) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined;
}

function cannotRun(): string | undefined {
  if (!existsSync(PCSCD)) return `${PCSCD} is not installed (Debian package pcscd; make setup installs it)`;
  if (!existsSync(VPCD_DRIVER)) return `${VPCD_DRIVER} is not installed (Debian package vsmartcard-vpcd)`;
  if (process.getuid?.() !== 0) return 'pcscd must create /run/pcscd: these tests run as root';
  const other = runningPcscd();
  if (other !== undefined) return `another pcscd (pid ${other}) is running (stop it: systemctl stop pcscd.socket pcscd)`;
  return undefined;
}

let pcscd: { shell: ChildProcess; pid: number } | undefined;
let pcscdLog = '';

// pcscd runs under a small shell that holds our end of a pipe: if this test process dies
// (even by SIGKILL, when no exit handler runs) the pipe closes, `read` returns and the
// shell kills pcscd. Nothing outlives the tests.
// pcscd's log goes to a file, never to a pipe this process reads: a pcscd blocked on a full
// pipe while this process waits in a synchronous PC/SC call would be a deadlock.
const PCSCD_LOG = '/tmp/pos-test-pcscd.log';
const GUARD = `${PCSCD} -f >>${PCSCD_LOG} 2>&1 & p=$!; echo "pid $p"; read _; kill -9 $p 2>/dev/null; wait $p`;

/** pcscd's socket, created after `since` (a killed pcscd leaves a stale one, which the next one replaces). */
function freshSocket(since: number): boolean {
  try {
    return statSync(SOCKET).mtimeMs >= since - 1000;
  } catch {
    return false;
  }
}

async function startPcscd(): Promise<void> {
  const started = Date.now();
  const shell = spawn('/bin/sh', ['-c', GUARD], { stdio: ['pipe', 'pipe', 'pipe'] });
  let pid = 0;
  shell.stdout?.on('data', (d: Buffer) => {
    const text = d.toString();
    pid ||= Number(/^pid (\d+)/m.exec(text)?.[1] ?? 0);
    pcscdLog = (pcscdLog + text).slice(-20000);
  });
  shell.stderr?.on('data', (d: Buffer) => (pcscdLog = (pcscdLog + d.toString()).slice(-20000)));
  await waitFor(() => (pid !== 0 && runningPcscd() === pid && freshSocket(started)) || shell.exitCode !== null, 10000).catch((err: unknown) => {
    throw new Error(`pcscd did not come up (pid ${pid}, pid file ${String(runningPcscd())}, socket ${existsSync(SOCKET)}): ${pcscdLog.slice(-500)}`, { cause: err });
  });
  if (shell.exitCode !== null) throw new Error(`pcscd exited at once (${shell.exitCode}): ${pcscdLog}`);
  pcscd = { shell, pid };
}

async function stopPcscd(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const running = pcscd;
  pcscd = undefined;
  if (!running || running.shell.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => running.shell.once('exit', () => resolve()));
  try {
    process.kill(running.pid, signal);
  } catch {
    // Already gone.
  }
  // pcscd cleans up on SIGTERM; give it a moment before the guard's kill -9.
  await waitFor(() => runningPcscd() !== running.pid, 3000).catch(() => undefined);
  running.shell.stdin?.end();
  await exited;
}

// pcscd's own polling of vpcd, two restarts and 76 transactions take longer than tap's default per-file limit.
t.setTimeout(300_000);
const reason = cannotRun();
if (reason !== undefined) {
  t.comment(`pcscd tests skipped: ${reason}`);
  t.pass('skipped');
} else {
  const server = await VpcdCardServer.start();
  const served = new Set<ServedVpcdCard>();
  const teardown = async (): Promise<void> => {
    await Promise.allSettled([...served].map((c) => c.remove()));
    await stopPcscd();
    await server.close();
  };
  // Nothing may outlive the tests, even when one fails or the process is interrupted.
  process.once('exit', () => pcscd?.shell.stdin?.end());
  t.teardown(teardown);

  const WAIT = { timeoutMs: 15000 };
  const insert = async (recipe: VpcdCardRecipe, options: VpcdCardOptions = {}): Promise<ServedVpcdCard> => {
    // vpcd listens only once pcscd has loaded it.
    const card = await server.insert(recipe, { retryForMs: 10000, ...options });
    served.add(card);
    return card;
  };
  const wire = async (card: ServedVpcdCard): Promise<string[]> => (await card.exchanges()).map((e) => `${toHex(e.capdu)} > ${toHex(e.rapdu)}`);
  const openReader = async (slot: '00' | '01' = '00'): Promise<PcscContactReader> => {
    const ctx = await LinuxPcscContext.open({ pollIntervalMs: 50 });
    const reader = new PcscContactReader({ pcsc: ctx, readerPattern: `^Virtual PCD 00 ${slot}$`, ownsContext: true });
    await waitFor(() => reader.state === 'ready');
    return reader;
  };
  const pcscdRig = (reader: PcscContactReader): Rig => ({
    reader,
    insert: async (recipe) => {
      const card = await insert(recipe);
      return { log: () => wire(card) };
    },
    remove: async () => {
      await Promise.all([...served].map((c) => c.remove()));
    },
    breakService: () => stopPcscd('SIGKILL'),
    restoreService: () => startPcscd(),
  });
  const removal = (reader: PcscContactReader): Promise<void> =>
    new Promise((resolve) => {
      const off = reader.onCardRemoved(() => {
        off();
        resolve();
      });
    });

  t.test('contact scenarios through pcscd + vpcd', async (t) => {
    await startPcscd();
    const reader = await openReader();
    t.teardown(() => reader.close());
    t.equal(reader.state, 'ready', 'the reader "Virtual PCD 00 00" is found by its pattern');
    await contactScenarios(t, pcscdRig(reader));
  });

  t.test('every contact catalogue card, T=1 and T=0: pcscd and the sim backend give the same outcome and exchanges', async (t) => {
    if (!pcscd) await startPcscd();
    const reader = await openReader();
    const sim = simRig();
    // Closed while pcscd runs and a card may be powered: the card server answers meanwhile.
    t.teardown(() => Promise.all([reader.close(), sim.close()]));
    await waitFor(() => sim.reader.state === 'ready');
    for (const name of CONTACT_CARDS) {
      for (const protocol of ['T=1', 'T=0'] as const) {
        await t.test(`${name} ${protocol}`, async (t) => {
          const card = await insert(recipes.catalogue(name, protocol));
          await reader.waitForCard(WAIT);
          t.equal((await reader.powerUp(WAIT)).protocol, protocol, `pcscd activated ${protocol}`);
          const real = await runCard(name, reader);
          assertRun(t, name, real);
          const gone = removal(reader);
          await card.remove();
          await gone;
          const simCard = await sim.insert(recipes.catalogue(name, protocol));
          await sim.reader.waitForCard(WAIT);
          await sim.reader.powerUp(WAIT);
          const simulated = await runCard(name, sim.reader);
          await sim.reader.powerDown();
          await sim.remove();
          t.equal(real.outcome, simulated.outcome, 'the same outcome through both backends');
          t.strictSame(stable(real.kernel), stable(simulated.kernel), 'the kernel saw the same exchanges');
          const onWire = await wire(card);
          t.strictSame(stable(onWire), stable(await simCard.log()), 'the card saw the same exchanges (61xx/6Cxx included over T=0)');
          if (protocol === 'T=0') t.ok(onWire.some((l) => l.startsWith('00C00000')), 'GET RESPONSE reached the T=0 card');
        });
      }
    }
  });

  t.test('a card pulled out at a chosen APDU (GENERATE AC) through pcscd: removal reported, the kernel ends with a transport error', async (t) => {
    if (!pcscd) await startPcscd();
    const reader = await openReader();
    t.teardown(() => reader.close());
    for (const protocol of ['T=1', 'T=0'] as const) {
      await t.test(protocol, async (t) => {
        // Where GENERATE AC falls on the card's side of the wire, from a run through the sim backend.
        const sim = simRig();
        await waitFor(() => sim.reader.state === 'ready');
        const simCard = await sim.insert(recipes.catalogue('visa-online', protocol));
        await sim.reader.waitForCard(WAIT);
        await sim.reader.powerUp(WAIT);
        await runCard('visa-online', sim.reader);
        await sim.close();
        const at = (await simCard.log()).findIndex((l) => l.startsWith('80AE'));
        t.ok(at > 0, `GENERATE AC is command ${at} on the card's side`);

        const card = await insert(recipes.catalogue('visa-online', protocol), { stopAt: at });
        await reader.waitForCard(WAIT);
        await reader.powerUp(WAIT);
        const gone = removal(reader);
        const run = runCard('visa-online', reader);
        const stop = await card.stopped();
        t.equal(toHex(stop.capdu).slice(0, 4), '80AE', 'the card stopped at GENERATE AC, unanswered');
        await card.remove();
        const r = await run;
        t.equal(r.outcome, 'transport-fault', 'no outcome: the transaction cannot end');
        t.ok(isEmvError(r.error, 'EMV_KERNEL_TRANSPORT'), `EMV_KERNEL_TRANSPORT, kept apart from outcomes (${String(r.error)})`);
        const cause = (r.error as { cause?: unknown }).cause;
        t.ok(isContactError(cause, 'card-removed'), `its cause is the role's card-removed (${String(cause)})`);
        await gone;
        t.notOk(reader.cardPresent, 'the role reported the removal');
        await t.rejects(reader.transceive(Uint8Array.of(0x80, 0xca, 0x9f, 0x36, 0x00), WAIT), { code: 'HAL_DEVICE' }, 'no exchange after removal');
        // The next card runs to its outcome.
        const next = await insert(recipes.catalogue('visa-online', protocol));
        await reader.waitForCard(WAIT);
        await reader.powerUp(WAIT);
        assertRun(t, 'visa-online', await runCard('visa-online', reader));
        await reader.powerDown();
        await next.remove();
        await waitFor(() => !reader.cardPresent);
      });
    }
  });

  t.test('pcscd killed mid-transaction, then restarted: out of service, a transport error, then transactions again', async (t) => {
    if (!pcscd) await startPcscd();
    const reader = await openReader();
    t.teardown(() => reader.close());
    const states: string[] = [];
    reader.onStateChange((s) => states.push(s));
    // Killed while the card works on GET PROCESSING OPTIONS (command 4: PSE, two directory records, SELECT AID).
    const card = await insert(recipes.catalogue('visa-online', 'T=1'), { stopAt: 4 });
    await reader.waitForCard(WAIT);
    await reader.powerUp(WAIT);
    const run = runCard('visa-online', reader);
    t.equal(toHex((await card.stopped()).capdu).slice(0, 4), '80A8', 'the card is working on GPO');
    await stopPcscd('SIGKILL');
    await card.resume().catch(() => undefined);
    const r = await run;
    t.equal(r.outcome, 'transport-fault');
    t.ok(isEmvError(r.error, 'EMV_KERNEL_TRANSPORT'), `EMV_KERNEL_TRANSPORT (${String(r.error)})`);
    const cause = (r.error as { cause?: unknown }).cause;
    t.ok(isContactError(cause, 'out-of-service') || isContactError(cause, 'card-removed'), `the role's fault is its cause (${String(cause)})`);
    await waitFor(() => reader.state === 'out-of-service');
    t.equal(reader.state, 'out-of-service', 'out of service while pcscd is gone');
    await t.rejects(reader.selfTest(), { fault: 'out-of-service', code: 'HAL_DISCONNECTED' });
    await t.rejects(reader.powerUp(WAIT), { fault: 'out-of-service', code: 'HAL_DISCONNECTED' }, 'calls fail cleanly meanwhile');
    await startPcscd();
    await waitFor(() => reader.state === 'ready');
    t.equal(reader.state, 'ready', 'back in service by itself');
    await insert(recipes.catalogue('mastercard-online', 'T=1'));
    await reader.waitForCard(WAIT);
    await reader.powerUp(WAIT);
    assertRun(t, 'mastercard-online', await runCard('mastercard-online', reader));
    await reader.powerDown();

    // pcscd restarted cleanly (SIGTERM) with a card in: vpcd goes with it, so does the card.
    await stopPcscd();
    await waitFor(() => reader.state === 'out-of-service');
    await startPcscd();
    await waitFor(() => reader.state === 'ready');
    await insert(recipes.catalogue('unionpay-online', 'T=0'));
    await reader.waitForCard(WAIT);
    await reader.powerUp(WAIT);
    assertRun(t, 'unionpay-online', await runCard('unionpay-online', reader));
    t.strictSame(states, ['out-of-service', 'ready', 'out-of-service', 'ready'], 'state changes');
  });

  t.test('the sim-pcsc terminal through pcscd: out of service while pcscd is gone, never crashing, then a transaction', async (t) => {
    if (!pcscd) await startPcscd();
    const terminal = await buildTerminal('sim-pcsc');
    t.teardown(() => terminal.close());
    const contact = terminal.roles.contact!;
    t.ok(contact, 'the board gives the contact role');
    await waitFor(() => contact.state === 'ready');
    const selfTest = async (): Promise<boolean | undefined> => (await terminal.selfTest()).find((r) => r.device === 'contact')?.ok;
    t.equal(await selfTest(), true, 'self test passes with pcscd up');
    await stopPcscd('SIGKILL');
    await waitFor(() => contact.state === 'out-of-service');
    const failed = (await terminal.selfTest()).find((r) => r.device === 'contact');
    t.match(failed, { ok: false, error: /HAL_DISCONNECTED: contact reader out of service: pcscd went away/ }, 'the self test names the cause');
    await startPcscd();
    await waitFor(() => contact.state === 'ready');
    t.equal(await selfTest(), true, 'back in service by itself');
    const card = await insert(recipes.catalogue('visa-online', 'T=1'));
    await contact.waitForCard(WAIT);
    await contact.powerUp(WAIT);
    assertRun(t, 'visa-online', await runCard('visa-online', contact));
    await contact.powerDown();
    await card.remove();
    await waitFor(() => !contact.cardPresent);
  });

  const hook = process.execArgv.find((a) => a.includes('@tapjs/typescript'));
  t.test('pos vpcd-card: a person inserts a test card for the sim-pcsc board; Ctrl-C pulls it out', { skip: hook === undefined && 'needs tap\'s TypeScript import hook' }, async (t) => {
    if (hook === undefined) return;
    if (!pcscd) await startPcscd();
    const reader = await openReader();
    t.teardown(() => reader.close());
    await waitFor(() => !reader.cardPresent);
    const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
    const child = spawn(process.execPath, [hook, main, 'vpcd-card', 'decline-offline', '--protocol', 'T=0', '--wait', '20000', '--json'], { env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1', NODE_OPTIONS: '' }, timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    t.teardown(() => void child.kill('SIGKILL'));
    await reader.waitForCard({ timeoutMs: 45_000 });
    t.equal((await reader.powerUp(WAIT)).protocol, 'T=0');
    assertRun(t, 'decline-offline', await runCard('decline-offline', reader));
    const gone = removal(reader);
    child.kill('SIGTERM');
    t.equal(await exited, 0, stderr);
    await gone;
    const summary = JSON.parse(stdout) as { card: string; protocol: string; port: number; atr: string; exchanges: number };
    t.match(summary, { card: 'decline-offline', protocol: 'T=0', port: 35963, atr: '3B6500009C11010103' });
    t.ok(summary.exchanges > 10, `the card answered the transaction (${summary.exchanges} exchanges)`);
    t.notOk(reader.cardPresent, 'the reader saw it pulled out');
  });

  t.test('nothing left running', async (t) => {
    await teardown();
    t.equal(runningPcscd(), undefined, 'no pcscd left running');
    t.ok([...served].every((c) => !c.inserted), 'every card is out');
    await t.rejects(server.insert(recipes.scripted()), { code: 'HAL_CLOSED' }, 'the card server thread has ended');
  });
}
