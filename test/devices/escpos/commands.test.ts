// Golden bytes of the ESC/POS command encoders. Each expected byte string is written from
// the Epson ESC/POS command reference page named beside it
// (https://download4.epson.biz/sec_pubs/pos/reference_en/escpos/<page>.html) and the
// summary tables of hardware.md section 7; python-escpos constants.py/escpos.py emit the
// same sequences for QR and cut.
import t from 'tap';
import * as cmd from '../../../hal/devices/escpos/commands.js';

const h = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();
const golden = (name: string, actual: () => Uint8Array, expected: string): void => {
  t.equal(h(actual()), expected.replace(/ /g, ''), name);
};

t.test('formatting and feeds', async () => {
  golden('ESC @ (esc_atsign)', cmd.initialize, '1B 40');
  golden('LF (lf)', cmd.lineFeed, '0A');
  golden('ESC a 0 left (esc_la)', () => cmd.justify('left'), '1B 61 00');
  golden('ESC a 1 centre (esc_la)', () => cmd.justify('center'), '1B 61 01');
  golden('ESC a 2 right (esc_la)', () => cmd.justify('right'), '1B 61 02');
  golden('ESC E 1 (esc_ce)', () => cmd.emphasized(true), '1B 45 01');
  golden('ESC E 0 (esc_ce)', () => cmd.emphasized(false), '1B 45 00');
  golden('ESC - 0 (esc_minus)', () => cmd.underline(0), '1B 2D 00');
  golden('ESC - 1 (esc_minus)', () => cmd.underline(1), '1B 2D 01');
  golden('ESC - 2 (esc_minus)', () => cmd.underline(2), '1B 2D 02');
  golden('GS ! 00 normal (gs_exclamation)', () => cmd.characterSize(1, 1), '1D 21 00');
  golden('GS ! 10 double width (gs_exclamation: bits 4-6 width)', () => cmd.characterSize(2, 1), '1D 21 10');
  golden('GS ! 01 double height (gs_exclamation: bits 0-2 height)', () => cmd.characterSize(1, 2), '1D 21 01');
  golden('GS ! 11 double both (gs_exclamation)', () => cmd.characterSize(2, 2), '1D 21 11');
  golden('GS ! 77 eight times (gs_exclamation)', () => cmd.characterSize(8, 8), '1D 21 77');
  golden('ESC d 3 (esc_ld)', () => cmd.feedLines(3), '1B 64 03');
  golden('GS V 0 full cut, function A (gs_cv)', () => cmd.cut(false), '1D 56 00');
  golden('GS V 1 partial cut, function A (gs_cv)', () => cmd.cut(true), '1D 56 01');
  golden('GS V 65 0 feed and full cut, function B (gs_cv)', () => cmd.cut(false, 0), '1D 56 41 00');
  golden('GS V 66 3 feed and partial cut, function B (gs_cv)', () => cmd.cut(true, 3), '1D 56 42 03');
});

t.test('character modes', async () => {
  golden('FS & Kanji/Hanzi mode on (fs_ampersand)', cmd.kanjiModeOn, '1C 26');
  golden('FS . Kanji/Hanzi mode off (fs_period)', cmd.kanjiModeOff, '1C 2E');
  golden('ESC t 0 PC437 (esc_lt)', () => cmd.codeTable(0), '1B 74 00');
  golden('ESC t 16 WPC1252 on TM-T88V (esc_lt)', () => cmd.codeTable(16), '1B 74 10');
});

t.test('QR Code, GS ( k cn 49', async () => {
  golden('fn 165 model 2 (gs_lparen_lk_fn165)', () => cmd.qrModel(2), '1D 28 6B 04 00 31 41 32 00');
  golden('fn 165 model 1 (gs_lparen_lk_fn165)', () => cmd.qrModel(1), '1D 28 6B 04 00 31 41 31 00');
  golden('fn 165 micro QR (gs_lparen_lk_fn165)', () => cmd.qrModel('micro'), '1D 28 6B 04 00 31 41 33 00');
  golden('fn 167 module size 6 (gs_lparen_lk_fn167)', () => cmd.qrModuleSize(6), '1D 28 6B 03 00 31 43 06');
  golden('fn 169 level L (gs_lparen_lk_fn169)', () => cmd.qrErrorCorrection('L'), '1D 28 6B 03 00 31 45 30');
  golden('fn 169 level M (gs_lparen_lk_fn169)', () => cmd.qrErrorCorrection('M'), '1D 28 6B 03 00 31 45 31');
  golden('fn 169 level Q (gs_lparen_lk_fn169)', () => cmd.qrErrorCorrection('Q'), '1D 28 6B 03 00 31 45 32');
  golden('fn 169 level H (gs_lparen_lk_fn169)', () => cmd.qrErrorCorrection('H'), '1D 28 6B 03 00 31 45 33');
  // fn 180: pL + pH*256 = k + 3.
  golden('fn 180 store "ABC" (gs_lparen_lk_fn180)', () => cmd.qrStore(Buffer.from('ABC')), '1D 28 6B 06 00 31 50 30 41 42 43');
  const long = Buffer.alloc(300, 0x41);
  t.equal(h(cmd.qrStore(long).subarray(0, 8)), '1D286B2F01315030', 'fn 180 with 300 bytes: pL 0x2F pH 0x01 (303 = k + 3)');
  t.equal(cmd.qrStore(long).length, 8 + 300);
  golden('fn 181 print (gs_lparen_lk_fn181)', cmd.qrPrint, '1D 28 6B 03 00 31 51 30');
  golden('fn 182 transmit size (gs_lparen_lk_fn182)', cmd.qrSizeInfo, '1D 28 6B 03 00 31 52 30');
});

t.test('bar codes', async () => {
  golden('GS h 80 (gs_lh)', () => cmd.barcodeHeight(80), '1D 68 50');
  golden('GS w 2 (gs_lw)', () => cmd.barcodeWidth(2), '1D 77 02');
  golden('GS H 0 no HRI (gs_ch)', () => cmd.hriPosition('none'), '1D 48 00');
  golden('GS H 1 above (gs_ch)', () => cmd.hriPosition('above'), '1D 48 01');
  golden('GS H 2 below (gs_ch)', () => cmd.hriPosition('below'), '1D 48 02');
  golden('GS H 3 both (gs_ch)', () => cmd.hriPosition('both'), '1D 48 03');
  golden('GS f 0 font A (gs_lf)', () => cmd.hriFont(0), '1D 66 00');
  // gs_lk example "No.123456": GS k 73 10 {B N o . {C 12 34 56 -> its two halves.
  golden('GS k 73 code set B "No." (gs_lk)', () => cmd.code128('No.', 'B'), '1D 6B 49 05 7B 42 4E 6F 2E');
  golden('GS k 73 code set C "123456": bytes 12 34 56 (gs_lk)', () => cmd.code128('123456', 'C'), '1D 6B 49 05 7B 43 0C 22 38');
  golden('GS k 73 code set A "AB" (gs_lk)', () => cmd.code128('AB', 'A'), '1D 6B 49 04 7B 41 41 42');
  golden('GS k 73: "{" is sent as "{{" (gs_lk special characters)', () => cmd.code128('a{b', 'B'), '1D 6B 49 06 7B 42 61 7B 7B 62');
});

t.test('status requests', async () => {
  golden('DLE EOT 1 (dle_eot)', () => cmd.realtimeStatus(1), '10 04 01');
  golden('DLE EOT 2 (dle_eot)', () => cmd.realtimeStatus(2), '10 04 02');
  golden('DLE EOT 3 (dle_eot)', () => cmd.realtimeStatus(3), '10 04 03');
  golden('DLE EOT 4 (dle_eot)', () => cmd.realtimeStatus(4), '10 04 04');
  golden('GS r 1 (gs_lr)', () => cmd.transmitStatus(1), '1D 72 01');
  golden('GS a 0 ASB off (gs_la)', () => cmd.automaticStatusBack(0), '1D 61 00');
});

t.test('parameters out of range are refused, never wrapped into other bytes', async (t) => {
  const bad: [string, () => Uint8Array][] = [
    ['width 9', () => cmd.characterSize(9, 1)],
    ['height 0', () => cmd.characterSize(1, 0)],
    ['feed 256', () => cmd.feedLines(256)],
    ['QR module 17', () => cmd.qrModuleSize(17)],
    ['QR module 0', () => cmd.qrModuleSize(0)],
    ['QR no data', () => cmd.qrStore(new Uint8Array(0))],
    ['QR 7090 bytes', () => cmd.qrStore(new Uint8Array(7090))],
    ['bar height 0', () => cmd.barcodeHeight(0)],
    ['bar width 7', () => cmd.barcodeWidth(7)],
    ['CODE128 C odd digits', () => cmd.code128('123', 'C')],
    ['CODE128 C letters', () => cmd.code128('12AB', 'C')],
    ['CODE128 A lowercase', () => cmd.code128('abc', 'A')],
    ['CODE128 B control char', () => cmd.code128('a\nb', 'B')],
    ['CODE128 B empty', () => cmd.code128('', 'B')],
    ['CODE128 too long', () => cmd.code128('x'.repeat(254), 'B')],
  ];
  for (const [name, f] of bad) t.throws(f, { code: 'HAL_INVALID_ARGUMENT' }, name);
});

t.test('status byte forms (dle_eot 0xx1xx10, gs_lr 0xx0xxxx) keep XON/XOFF apart', async (t) => {
  t.ok(cmd.isRealtimeStatusByte(0x12), 'normal DLE EOT reply');
  t.ok(cmd.isRealtimeStatusByte(0x7e), 'paper-out DLE EOT 4 reply');
  t.notOk(cmd.isRealtimeStatusByte(cmd.XON), 'XON is no DLE EOT reply');
  t.notOk(cmd.isRealtimeStatusByte(cmd.XOFF), 'XOFF is no DLE EOT reply');
  t.notOk(cmd.isTransmitStatusByte(cmd.XON), 'XON is no GS r reply');
  t.notOk(cmd.isTransmitStatusByte(cmd.XOFF), 'XOFF is no GS r reply');
  t.ok(cmd.isTransmitStatusByte(0x00), 'GS r 1: paper present');
  t.ok(cmd.isTransmitStatusByte(0x0f), 'GS r 1: near end and paper end');
  t.ok(cmd.isAsbFirstByte(0x10), 'ASB first byte 0xx1xx00 (gs_la)');
  t.notOk(cmd.isAsbFirstByte(cmd.XON) || cmd.isAsbFirstByte(cmd.XOFF) || cmd.isAsbFirstByte(0x12), 'XON, XOFF, DLE EOT replies are no ASB header');
  for (let b = 0; b < 256; b++) {
    const forms = [cmd.isRealtimeStatusByte(b), cmd.isTransmitStatusByte(b), cmd.isAsbFirstByte(b), b === cmd.XON || b === cmd.XOFF].filter(Boolean).length;
    t.ok(forms <= 1, `byte ${b} fits at most one form`);
  }
});
