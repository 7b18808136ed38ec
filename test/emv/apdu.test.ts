// APDU builders and parsers against the command encodings of EMV Book 1 11 and Book 3 6.5.
import t from 'tap';
import * as apdu from '../../emv/apdu/apdu.js';
import { statusWordMeaning, isStatusWord, isSuccess, SW } from '../../emv/apdu/status-words.js';
import { fromHex, toHex } from '../../emv/bytes.js';

t.test('SELECT (Book 1 11.3.2): PSE, PPSE, first and next occurrence', async (t) => {
  t.equal(toHex(apdu.selectByName(apdu.PSE_NAME)), '00A404000E315041592E5359532E444446303100');
  t.equal(toHex(apdu.selectByName(apdu.PPSE_NAME)), '00A404000E325041592E5359532E444446303100');
  t.equal(toHex(apdu.selectByName(fromHex('A0000000031010'), { next: true })), '00A4040207A000000003101000', 'P2 02: next occurrence');
  t.throws(() => apdu.selectByName(new Uint8Array(17)), { code: 'EMV_APDU_BAD_ARGUMENT' });
});

t.test('GET PROCESSING OPTIONS (Book 3 6.5.8.3): command template 83', async (t) => {
  t.equal(toHex(apdu.getProcessingOptions()), '80A8000002830000', 'no PDOL: 83 00');
  t.equal(toHex(apdu.getProcessingOptions(fromHex('36004000000000001000'))), '80A800000C830A3600400000000000100000');
  t.throws(() => apdu.getProcessingOptions(new Uint8Array(254)), { code: 'EMV_APDU_BAD_ARGUMENT' });
});

t.test('READ RECORD (Book 3 6.5.11.2): P2 = SFI << 3 | 4', async (t) => {
  t.equal(toHex(apdu.readRecord(1, 1)), '00B2010C00');
  t.equal(toHex(apdu.readRecord(2, 3)), '00B2031400');
  t.equal(toHex(apdu.readRecord(30, 255)), '00B2FFF400');
  t.throws(() => apdu.readRecord(0, 1), { code: 'EMV_APDU_BAD_ARGUMENT' });
  t.throws(() => apdu.readRecord(31, 1), { code: 'EMV_APDU_BAD_ARGUMENT' });
  t.throws(() => apdu.readRecord(1, 0), { code: 'EMV_APDU_BAD_ARGUMENT' });
});

t.test('GET DATA, GENERATE AC, INTERNAL/EXTERNAL AUTHENTICATE, GET CHALLENGE, VERIFY', async (t) => {
  t.equal(toHex(apdu.getData(0x9f36)), '80CA9F3600', 'ATC (Book 3 6.5.7)');
  t.equal(toHex(apdu.getData(0x9f17)), '80CA9F1700', 'PIN Try Counter');
  const cdol = fromHex('0000000010000000000000000156');
  t.equal(toHex(apdu.generateAc('ARQC', cdol)), '80AE80000E' + toHex(cdol) + '00', 'P1 80: ARQC (Book 3 Table 12)');
  t.equal(toHex(apdu.generateAc('TC', cdol, { cda: true })).slice(0, 8), '80AE5000', 'P1 40 | 10: TC with CDA');
  t.equal(toHex(apdu.generateAc('AAC', cdol)).slice(0, 8), '80AE0000');
  t.equal(toHex(apdu.internalAuthenticate(fromHex('12345678'))), '008800000412345678' + '00');
  t.equal(toHex(apdu.externalAuthenticate(fromHex('1122334455667788' + '3030'))), '008200000A11223344556677883030', 'no Le (Book 3 6.5.4.2)');
  t.throws(() => apdu.externalAuthenticate(new Uint8Array(7)), { code: 'EMV_APDU_BAD_ARGUMENT' });
  t.equal(toHex(apdu.getChallenge()), '0084000000');
  t.equal(toHex(apdu.verify(apdu.VERIFY_PIN.PLAINTEXT, fromHex('241234FFFFFFFFFF'))), '0020008008241234FFFFFFFFFF', 'no Le (Book 3 6.5.12.2)');
  t.equal(toHex(apdu.getResponse(0x1c)), '00C000001C');
  t.equal(toHex(apdu.getResponse(256)), '00C0000000');
});

t.test('parseCommand: the four cases of ISO/IEC 7816-4 5.1, short and extended', async (t) => {
  t.match(apdu.parseCommand(fromHex('00A40400')), { case: 1, le: undefined, extended: false });
  t.match(apdu.parseCommand(fromHex('0084000008')), { case: 2, le: 8 });
  t.match(apdu.parseCommand(fromHex('00B2010C00')), { case: 2, le: 256, p1: 1, p2: 0x0c });
  const c3 = apdu.parseCommand(fromHex('0020008008241234FFFFFFFFFF'));
  t.match(c3, { case: 3, le: undefined, ins: 0x20 });
  t.equal(toHex(c3.data), '241234FFFFFFFFFF');
  t.match(apdu.parseCommand(fromHex('00A4040007A000000003101000')), { case: 4, le: 256 });
  t.match(apdu.parseCommand(fromHex('00B00000' + '000100')), { case: 2, extended: true, le: 256 });
  t.match(apdu.parseCommand(fromHex('00B00000' + '000000')), { case: 2, extended: true, le: 65536 });
  t.match(apdu.parseCommand(fromHex('00D00000' + '000002' + 'AABB')), { case: 3, extended: true });
  t.match(apdu.parseCommand(fromHex('00D00000' + '000002' + 'AABB' + '0010')), { case: 4, extended: true, le: 16 });
  for (const bad of ['00A404', '00A4040007A0000000', '00A404000700', '00D00000' + '0000', '00D00000' + '000000AA']) {
    t.throws(() => apdu.parseCommand(fromHex(bad)), { code: 'EMV_APDU_BAD_COMMAND' }, bad);
  }
});

t.test('parseResponse: data view and status word', async (t) => {
  const raw = fromHex('6F00' + '9000');
  const r = apdu.parseResponse(raw);
  t.equal(r.sw, 0x9000);
  t.equal(toHex(r.data), '6F00');
  t.equal(r.data.buffer, raw.buffer, 'a view');
  t.equal(apdu.parseResponse(fromHex('6A82')).data.length, 0);
  t.throws(() => apdu.parseResponse(fromHex('90')), { code: 'EMV_APDU_TOO_SHORT' });
});

t.test('encodeCommand checks its fields', async (t) => {
  t.throws(() => apdu.encodeCommand({ cla: 256, ins: 0, p1: 0, p2: 0 }), { code: 'EMV_APDU_BAD_ARGUMENT' });
  t.throws(() => apdu.encodeCommand({ cla: 0, ins: 0, p1: 0, p2: 0, data: new Uint8Array(256) }), { code: 'EMV_APDU_BAD_ARGUMENT' });
  t.throws(() => apdu.encodeCommand({ cla: 0, ins: 0, p1: 0, p2: 0, le: 257 }), { code: 'EMV_APDU_BAD_ARGUMENT' });
  t.throws(() => apdu.getData(0x10000), { code: 'EMV_APDU_BAD_ARGUMENT' });
});

t.test('status words (ISO/IEC 7816-4 5.6, Book 3 6.3.5)', async (t) => {
  t.match(statusWordMeaning(SW.OK), /normal processing/);
  t.match(statusWordMeaning(0x6a82), /file or application not found/);
  t.match(statusWordMeaning(0x6283), /selected file invalidated/);
  t.match(statusWordMeaning(0x6983), /PIN try limit|blocked/i);
  t.match(statusWordMeaning(0x611c), /28 more bytes/);
  t.match(statusWordMeaning(0x6100), /256 more bytes/);
  t.match(statusWordMeaning(0x6c1a), /Le = 26/);
  t.match(statusWordMeaning(0x63c2), /counter is 2/);
  t.match(statusWordMeaning(0x1234), /unknown/);
  t.ok(isStatusWord(0x9000));
  t.ok(isStatusWord(0x6a82));
  t.notOk(isStatusWord(0x6000), '60 is a T=0 procedure byte, not SW1');
  t.notOk(isStatusWord(0x1000));
  t.ok(isSuccess(0x9000));
  t.ok(isSuccess(0x6283), 'warnings count as processed');
  t.notOk(isSuccess(0x6985));
});
