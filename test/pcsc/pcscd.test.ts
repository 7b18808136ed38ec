// The contact reader through the real PC/SC stack: pcscd (started here in the foreground,
// stopped at the end) with vsmartcard's vpcd reader driver, the card served by the vpcd
// card server, the Linux backend on the `smartcard` addon. pcscd's socket lives in a fixed
// folder (/run/pcscd), so every pcscd test is in this one file and runs in sequence.
// The same cards run through the sim backend; both must show the card the same exchanges
// and reach the same outcome.
//
// The vpcd card server answers from this process's event loop, and some PC/SC calls of the
// `smartcard` addon are synchronous (SCardDisconnect, SCardReleaseContext, the reader
// poll): when pcscd has to talk to the card inside one of them, the card cannot answer
// until vpcd gives up. So each test stops pcscd before it closes its readers, and cards
// are not pulled out while a reader polls. (A real reader's card is not in this process.)
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { LinuxPcscContext } from '../../hal/linux/pcsc.js';
import { SimPcscContext } from '../../hal/sim/pcsc.js';
import { VpcdCard } from '../../hal/sim/vpcd.js';
import { PcscContactReader } from '../../hal/devices/pcsc/contact.js';
import type { VirtualContactCard } from '../../hal/pcsc.js';
import { T1_EXCHANGES, selectionFlow, waitFor } from './scenarios.js';
import { scriptedCard, recorded, AID, PAN, ATR_T0, ATR_T1 } from './cards.js';
import { t0OnlyCard } from '../../hal/sim/pcsc.js';

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

/** vpcd listens only once pcscd has loaded it: retry the connection for a while. */
async function insertVpcd(card: VirtualContactCard, port?: number): Promise<VpcdCard> {
  const end = Date.now() + 10000;
  for (;;) {
    try {
      return await VpcdCard.insert(card, port === undefined ? {} : { port });
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

// pcscd's own polling of vpcd and two restarts take longer than tap's default per-file limit.
t.setTimeout(240_000);
const reason = cannotRun();
if (reason !== undefined) {
  t.comment(`pcscd tests skipped: ${reason}`);
  t.pass('skipped');
} else {
  const cards = new Set<VpcdCard>();
  const teardown = async (): Promise<void> => {
    await Promise.allSettled([...cards].map((c) => c.remove()));
    await stopPcscd();
  };
  // Nothing may outlive the tests, even when one fails or the process is interrupted.
  process.once('exit', () => pcscd?.shell.stdin?.end());
  t.teardown(teardown);

  const openReader = async (slot: '00' | '01'): Promise<PcscContactReader> => {
    const ctx = await LinuxPcscContext.open({ pollIntervalMs: 50 });
    const reader = new PcscContactReader({ pcsc: ctx, readerPattern: `^Virtual PCD 00 ${slot}$`, ownsContext: true });
    await waitFor(() => reader.state === 'ready');
    return reader;
  };
  const simFlow = async (card: VirtualContactCard): Promise<{ aid: string; pan: string; atc: string }> => {
    const sim = new SimPcscContext({ readers: ['Sim 00 00'] });
    const reader = new PcscContactReader({ pcsc: sim, readerPattern: '^Sim', ownsContext: true });
    try {
      sim.insert('Sim 00 00', card);
      await reader.waitForCard();
      await reader.powerUp();
      return await selectionFlow((c) => reader.transceive(c));
    } finally {
      await reader.close();
    }
  };

  t.test('T=1 and T=0 cards through pcscd + vpcd: the same exchanges and outcome as through the sim backend', async (t) => {
    await startPcscd();
    const a = await openReader('00');
    const b = await openReader('01');
    t.teardown(async () => {
      await a.close();
      await b.close();
    });
    t.equal(a.state, 'ready', 'the reader "Virtual PCD 00 00" is found by its pattern');
    const t1 = scriptedCard({ atr: ATR_T1 });
    cards.add(await insertVpcd(t1));
    const t0 = recorded(t0OnlyCard(scriptedCard(), ATR_T0));
    cards.add(await insertVpcd(t0, 35964));
    await a.waitForCard({ timeoutMs: 15000 });
    await b.waitForCard({ timeoutMs: 15000 });
    const infoA = await a.powerUp({ timeoutMs: 15000 });
    const infoB = await b.powerUp({ timeoutMs: 15000 });
    t.equal(infoA.protocol, 'T=1', 'pcscd activated T=1 (the ATR offers T=1 only)');
    t.equal(infoB.protocol, 'T=0', 'pcscd activated T=0 (no TD1)');
    const outcome = { aid: AID, pan: PAN, atc: '0007' };
    t.strictSame(await selectionFlow((c) => a.transceive(c, { timeoutMs: 15000 })), outcome);
    t.strictSame(await selectionFlow((c) => b.transceive(c, { timeoutMs: 15000 })), outcome, 'T=0: the reader ran GET RESPONSE and the 6Cxx re-sends');
    t.strictSame(t1.log.map((l) => l.split(' > ')[0]), T1_EXCHANGES);
    t.ok(t0.log.some((l) => l.startsWith('00C00000')), 'GET RESPONSE reached the T=0 card');
    // The same cards through the sim backend.
    const simT1 = scriptedCard({ atr: ATR_T1 });
    const simT0 = recorded(t0OnlyCard(scriptedCard(), ATR_T0));
    t.strictSame(await simFlow(simT1), outcome);
    t.strictSame(await simFlow(simT0), outcome);
    t.strictSame(simT1.log, t1.log, 'T=1: identical exchanges through pcscd and the sim');
    t.strictSame(simT0.log, t0.log, 'T=0: identical exchanges (61xx/6Cxx included) through pcscd and the sim');
    await stopPcscd();
  });

  t.test('a mute card through pcscd: powerUp fails with mute', async (t) => {
    await startPcscd();
    const a = await openReader('00');
    t.teardown(() => a.close());
    const mute = scriptedCard({ atr: new Uint8Array(0) });
    cards.add(await insertVpcd(mute));
    await a.waitForCard({ timeoutMs: 15000 });
    await t.rejects(a.powerUp({ timeoutMs: 15000 }), { code: 'HAL_DEVICE', fault: 'mute' });
    t.strictSame(mute.log, [], 'no APDU reached the card');
    await stopPcscd();
  });

  t.test('pcscd killed while the card is answering an APDU: a clean error, then recovery', async (t) => {
    if (!pcscd) await startPcscd();
    const ctx = await LinuxPcscContext.open({ pollIntervalMs: 50 });
    const reader = new PcscContactReader({ pcsc: ctx, readerPattern: '^Virtual PCD 00 00$', ownsContext: true });
    t.teardown(() => reader.close());
    await waitFor(() => reader.state === 'ready');
    const card = scriptedCard({
      async onCommand(cmd) {
        // GPO: the daemon dies while the card is working on its answer.
        if (cmd.startsWith('80A8')) await stopPcscd('SIGKILL');
      },
    });
    const vc = await insertVpcd(card);
    cards.add(vc);
    await reader.waitForCard({ timeoutMs: 15000 });
    await reader.powerUp({ timeoutMs: 15000 });
    let failure: unknown;
    try {
      await selectionFlow((c) => reader.transceive(c, { timeoutMs: 15000 }));
    } catch (err) {
      failure = err;
    }
    t.match(failure, { name: 'HalError' }, `the exchange failed with a HalError: ${String(failure)}`);
    t.match((failure as { fault?: string }).fault, /^(out-of-service|card-removed)$/);
    await waitFor(() => reader.state === 'out-of-service');
    t.equal(reader.state, 'out-of-service', 'out of service while pcscd is gone');
    await startPcscd();
    await waitFor(() => reader.state === 'ready');
    t.equal(reader.state, 'ready', 'the context is re-established');
    cards.add(await insertVpcd(scriptedCard()));
    await reader.waitForCard({ timeoutMs: 15000 });
    await reader.powerUp({ timeoutMs: 15000 });
    t.strictSame(await selectionFlow((c) => reader.transceive(c, { timeoutMs: 15000 })), { aid: AID, pan: PAN, atc: '0007' });
    // pcscd goes first: see the note on the vpcd card server at the top.
    await stopPcscd();
  });

  t.test('nothing left running', async (t) => {
    await teardown();
    t.equal(runningPcscd(), undefined, 'no pcscd left running');
  });
}
