// The contact reader in the board profiles and the wiring notes (issue 8, Boards): rpi4-pos
// has a USB CCID contact reader behind pcscd, the sim board the in-process backend, sim-pcsc
// the real pcscd with vpcd. Reader names are the ones pcsc-lite gives: the reader's name
// (the USB product string, or FRIENDLYNAME from reader.conf), then the reader and slot
// numbers as "%02X %02X" (pcsc-lite readerfactory.c).
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { loadBoard } from '../../boards/loader.js';
import type { PcscReaderProps } from '../../hal/devices/pcsc/binding.js';
import { simReaderName } from '../../src/board/parts/pcsc.js';

function contactReader(t: Test, board: string): PcscReaderProps & { device: string } {
  const profile = loadBoard(board);
  const name = profile.roles.contact;
  const device = profile.devices.find((d) => d.name === name);
  if (device === undefined) throw new Error(`${board}: no device for the contact role`);
  t.equal(device.compatible, 'pcsc,reader', `${board}: the contact role is a PC/SC reader`);
  return { device: device.name, ...(device.props as unknown as PcscReaderProps) };
}

t.test('rpi4-pos: a USB CCID contact reader (ACS ACR39U) behind pcscd, in the profile and the wiring table', async (t) => {
  const r = contactReader(t, 'rpi4-pos');
  t.equal(r.interface, 'contact');
  t.equal(r.backend, 'linux', 'through pcscd');
  const pattern = new RegExp(r.readerPattern, 'iu');
  t.ok(pattern.test('ACS ACR39U ICC Reader 00 00'), 'the pattern matches the name pcscd gives the ACR39U');
  t.notOk(pattern.test('ACS ACR122U PICC Interface 00 00'), 'and not a contactless ACS reader');
  const readme = readFileSync(new URL('../../boards/README.md', import.meta.url), 'utf8');
  const wiring = readme.slice(readme.indexOf('## Wiring `rpi4-pos`'));
  t.match(wiring, /\| contact chip reader \(ACS ACR39U\) \| USB \|[^\n]*USB CCID, behind pcscd \(`pcsc,reader`/, 'a row of the wiring table');
  t.match(wiring, /apt-get install pcscd\s+libccid/, 'the set-up note names pcscd and the CCID driver');
});

t.test('sim: the in-process backend, its reader found by the pattern', async (t) => {
  const r = contactReader(t, 'sim');
  t.equal(r.backend, 'sim', 'make run needs no daemon');
  t.ok(new RegExp(r.readerPattern, 'iu').test(simReaderName(r)));
});

t.test('sim-pcsc: the real pcscd, vpcd\'s first slot', async (t) => {
  const r = contactReader(t, 'sim-pcsc');
  t.equal(r.backend, 'linux');
  const pattern = new RegExp(r.readerPattern, 'iu');
  t.ok(pattern.test('Virtual PCD 00 00'));
  t.notOk(pattern.test('Virtual PCD 00 01'), 'one slot only');
});
