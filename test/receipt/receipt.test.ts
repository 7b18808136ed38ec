// Transaction receipts printed through the real ESC/POS driver into the sim printer model,
// read back from what the model decoded, and checked against the card schemes' receipt
// rules (product.md 1.5, after the Adyen scheme receipt requirements: AID and application
// label required, masked PAN, entry mode, PIN/signature statement, expiry date forbidden;
// PCI DSS 3.3: at most the first 6 and last 4 digits; FACTA: the cardholder's copy at most
// the last 5).
import t from 'tap';
import fc from 'fast-check';
import { luhnValid } from '../../emv/track/pan.js';
import { formatReceipt } from '../../src/receipt/format.js';
import { isReceiptError } from '../../src/receipt/errors.js';
import type { ReceiptData } from '../../src/receipt/types.js';
import { CARD, luhnRuns, rig, sale } from './rig.js';

async function printed(data: ReceiptData, copy: 'merchant' | 'customer', lang: 'en' | 'zh' = 'en', reprint = false): Promise<string[]> {
  const r = await rig();
  try {
    await r.printer.print(formatReceipt(data, copy, lang, { columns: r.printer.columns, reprint }));
    t.same(r.model.errors, [], 'the printer model saw only valid commands');
    return r.lines();
  } finally {
    await r.close();
  }
}

const has = (lines: string[], re: RegExp): boolean => lines.some((l) => re.test(l));

t.test('an approved contactless sale carries every field the schemes require', async (t) => {
  const lines = await printed(sale(), 'merchant');
  const all = lines.join('\n');
  for (const [what, re] of [
    ['merchant name', /ACME CAFE/],
    ['merchant address', /1 Main St/],
    ['MID', /MID\s+123456789012345/],
    ['TID', /TID\s+T0000042/],
    ['date and time', /2026-11-28 13:45:07/],
    ['transaction type', /^\s*SALE\s*$/],
    ['masked PAN, first 6 and last 4', new RegExp(`CARD\\s+${CARD.pan.slice(0, 6)}\\*{6}${CARD.pan.slice(-4)}$`)],
    ['scheme', /CARD TYPE\s+VISA$/],
    ['application label', /APP\s+VISA CREDIT$/],
    ['AID', /AID\s+A0000000031010$/],
    ['entry mode in words (field 22 07)', /ENTRY\s+CONTACTLESS$/],
    ['TVR', /TVR\s+0000008000$/],
    ['TSI', /TSI\s+E800$/],
    ['cryptogram with its type', /ARQC\s+9A1B2C3D4E5F6071$/],
    ['auth code', /AUTH CODE\s+A1B2C3$/],
    ['RRN', /RRN\s+633212345678$/],
    ['STAN', /STAN\s+000417$/],
    ['batch', /BATCH\s+000007$/],
    ['transaction number', /TXN NO\s+T-000417$/],
    // CNY has exponent 2 (ISO 4217): 8800 minor units are 88.00.
    ['amount with currency', /AMOUNT\s+CNY 88\.00$/],
    ['result', /^\s*APPROVED\s*$/],
    ['PIN statement', /PIN VERIFIED/],
    ['copy', /MERCHANT COPY/],
  ] as const) {
    t.ok(has(lines, re), `${what}: ${re}`);
  }
  t.notOk(/REPRINT|DUPLICATE|TRAINING|OFFLINE/.test(all), 'no marker that does not apply');
  t.ok(lines.every((l) => l.length <= 32), 'every line fits the 58 mm paper (32 columns)');
});

t.test('never the expiry date, never a clear PAN', async (t) => {
  // The card's expiry (YYMM, from its track 2) in every way a receipt could show it.
  const yy = CARD.expiry.slice(0, 2);
  const mm = CARD.expiry.slice(2, 4);
  const forms = [CARD.expiry, `${mm}${yy}`, `${mm}/${yy}`, `${yy}/${mm}`, `20${yy}-${mm}`, `${mm}/20${yy}`];
  const input = JSON.stringify(sale());
  t.notOk(forms.some((f) => input.includes(f)), 'precondition: the receipt data holds no expiry form');
  for (const copy of ['merchant', 'customer'] as const) {
    const all = (await printed(sale({ cvm: 'signature' }), copy)).join('\n');
    for (const f of forms) t.notOk(all.includes(f), `${copy} copy: no expiry "${f}"`);
    t.same(luhnRuns(all.replace(/\n/g, ' '), luhnValid), [], `${copy} copy: no Luhn-valid 13-19 digit run`);
    t.notOk(all.includes(CARD.pan), `${copy} copy: not the PAN`);
  }
  const customer = await printed(sale(), 'customer');
  t.ok(has(customer, new RegExp(`CARD\\s+\\*{12}${CARD.pan.slice(-4)}$`)), "the cardholder's copy shows the last 4 only");
  // The engine handing over a clear PAN by mistake still prints masked.
  const slip = await printed(sale({ maskedPan: CARD.pan }), 'merchant');
  t.ok(has(slip, new RegExp(`CARD\\s+${CARD.pan.slice(0, 6)}\\*{6}${CARD.pan.slice(-4)}$`)), 'a clear PAN is masked anyway');
});

t.test('any PAN given instead of a masked one never prints in clear (random PANs)', async (t) => {
  const pan = fc
    .tuple(fc.integer({ min: 13, max: 19 }), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 19, maxLength: 19 }))
    .map(([n, d]) => d.slice(0, n).join(''));
  fc.assert(
    fc.property(pan, fc.constantFrom('merchant' as const, 'customer' as const), (p, copy) => {
      const text = formatReceipt(sale({ maskedPan: p }), copy, 'en', { columns: 32 })
        .lines.map((l) => (l.kind === 'text' ? l.text : ''))
        .join(' ');
      return !text.includes(p) && luhnRuns(text, luhnValid).length === 0;
    }),
  );
  t.pass('no clear PAN');
});

t.test('declined: DECLINED with the field 39 code and its text, no CVM statement', async (t) => {
  const data = sale({ result: 'declined', responseCode: '51', authCode: undefined, cvm: 'signature' });
  const en = await printed(data, 'merchant');
  t.ok(has(en, /^\s*DECLINED\s*$/));
  // ISO 8583:1987 field 39, code 51: "not sufficient funds".
  t.ok(has(en, /51 (NOT SUFFICIENT|INSUFFICIENT) FUNDS/), 'code 51 with its words');
  t.notOk(has(en, /PIN VERIFIED|X_{10}/), 'a decline verified nobody: no statement, no signature line');
  const zh = await printed(data, 'merchant', 'zh');
  t.ok(has(zh, /交易拒绝/));
  t.ok(has(zh, /51 余额不足/), 'UnionPay POS wording of 51');
  const unknown = await printed(sale({ result: 'declined', responseCode: 'Q7' }), 'merchant');
  t.ok(has(unknown, /RESPONSE CODE Q7/), 'an unknown code prints with its number');
});

t.test('refund and void print a negative amount; currencies by their ISO 4217 exponent', async (t) => {
  t.ok(has(await printed(sale({ txnType: 'refund', amount: 5000 }), 'merchant'), /AMOUNT\s+CNY -50\.00$/), 'refund');
  t.ok(has(await printed(sale({ txnType: 'void', amount: 8800, original: { txnId: 'T-000400', rrn: '633200000001' } }), 'merchant'), /AMOUNT\s+CNY -88\.00$/), 'void');
  const orig = await printed(sale({ txnType: 'void', original: { txnId: 'T-000400', rrn: '633200000001', authCode: 'X9Y8Z7' } }), 'merchant');
  t.ok(has(orig, /ORIG TXN\s+T-000400/) && has(orig, /ORIG RRN\s+633200000001/) && has(orig, /ORIG AUTH\s+X9Y8Z7/), "the original's references");
  // ISO 4217: JPY exponent 0, KWD exponent 3, USD 2.
  const lines = (d: Partial<ReceiptData>): string[] =>
    formatReceipt(sale(d), 'merchant', 'en', { columns: 32 }).lines.flatMap((l) => (l.kind === 'text' ? [l.text] : []));
  t.ok(has(lines({ currency: 'JPY', amount: 1500 }), /JPY 1500$/));
  t.ok(has(lines({ currency: 'KWD', amount: 1234 }), /KWD 1\.234$/));
  t.ok(has(lines({ currency: 'USD', amount: 5 }), /USD 0\.05$/));
  t.ok(has(lines({ txnType: 'refund', currency: 'USD', amount: 123456 }), /USD -1234\.56$/));
});

t.test('CVM statements (EMV Book 3 C3 CVM codes as the engine reports them)', async (t) => {
  const of = (cvm: ReceiptData['cvm'], copy: 'merchant' | 'customer' = 'merchant'): string[] =>
    formatReceipt(sale({ cvm }), copy, 'en', { columns: 32 }).lines.flatMap((l) => (l.kind === 'text' ? [l.text] : []));
  t.ok(has(of('offline-pin'), /PIN VERIFIED/));
  t.ok(has(of('no-cvm'), /NO CVM REQUIRED/));
  t.ok(has(of('cdcvm'), /VERIFIED ON DEVICE/));
  t.ok(has(of('signature'), /^X_+$/), 'the signature line on the merchant copy');
  t.notOk(has(of('signature', 'customer'), /^X_+$/), 'none on the customer copy');
});

t.test('training: the big marker at the top and the bottom', async (t) => {
  const lines = await printed(sale({ training: true }), 'customer');
  const marks = lines.flatMap((l, i) => (l.includes('TRAINING - NOT A TRANSACTION') ? [i] : []));
  t.equal(marks.length, 2, 'twice');
  t.ok(marks[0]! <= 1, 'before anything else (after its rule)');
  t.ok(marks[1]! >= lines.length - 2, 'after everything else (before its rule)');
  t.ok(has(lines, /CUSTOMER COPY/));
  const zh = await printed(sale({ training: true }), 'customer', 'zh');
  t.equal(zh.filter((l) => l.includes('培训模式 - 非真实交易')).length, 2, 'Chinese marker twice');
});

t.test('reprint marks, offline marker', async (t) => {
  const lines = await printed(sale(), 'merchant', 'en', true);
  t.ok(has(lines, /REPRINT/), 'REPRINT');
  t.ok(has(lines, /DUPLICATE/), 'DUPLICATE');
  t.ok(lines.findIndex((l) => /REPRINT/.test(l)) < lines.findIndex((l) => /ACME CAFE/.test(l)), 'REPRINT above the merchant');
  const offline = await printed(sale({ offline: true, responseCode: 'Y1', rrn: undefined, authCode: 'Y1' }), 'merchant');
  t.ok(has(offline, /OFFLINE/), 'offline marker');
  // EMV Book 4 A6: Y1 = offline approved.
  t.ok(has(offline, /Y1 OFFLINE APPROVED/));
});

t.test('Chinese receipt: GB18030 on the wire, the same text back from the printer', async (t) => {
  const r = await rig();
  const data = sale({ merchant: { name: '中文咖啡店', address: '北京市朝阳区1号', merchantId: '123456789012345', terminalId: 'T0000042' }, scheme: 'unionpay', entryMode: '05' });
  await r.printer.print(formatReceipt(data, 'merchant', 'zh', { columns: r.printer.columns }));
  await r.close();
  t.same(r.model.errors, []);
  // GB 2312 (a subset of GB 18030): 中 = D6D0, 文 = CEC4.
  const wire = Buffer.from(r.wire).toString('hex').toUpperCase();
  t.ok(wire.includes('D6D0CEC4'), '中文 as GB18030 bytes');
  t.ok(wire.includes('1C26'), 'Hanzi mode (FS &) set');
  const lines = r.lines();
  for (const re of [/中文咖啡店/, /北京市朝阳区1号/, /商户编号\s+123456789012345/, /^\s*消费\s*$/, /卡组织\s+银联$/, /输入方式\s+插卡$/, /金额\s+CNY 88\.00$/, /交易成功/, /密码已验证/, /商户存根/]) {
    t.ok(has(lines, re), String(re));
  }
});

t.test('bad data is a clear RECEIPT_DATA error, never a crash', async (t) => {
  const bad: Partial<ReceiptData>[] = [{ currency: 'XYZ' }, { currency: 'cny' }, { amount: 12.5 }, { amount: Number.NaN }, { maskedPan: '4761-73XX-abcd' }, { maskedPan: '123' }, { at: 'yesterday' }];
  for (const over of bad) {
    t.throws(() => formatReceipt(sale(over), 'merchant', 'en', { columns: 32 }), { code: 'RECEIPT_DATA' }, JSON.stringify(over));
  }
  // Random strings where the data has strings: a ReceiptError or a receipt, nothing else;
  // never a control character in a line (the printer would take it as a command).
  fc.assert(
    fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (name, pan, label, at) => {
      try {
        const receipt = formatReceipt(sale({ merchant: { name, merchantId: 'M', terminalId: 'T' }, maskedPan: pan, applicationLabel: label, at }), 'merchant', 'zh', { columns: 32 });
        return receipt.lines.every((l) => l.kind !== 'text' || !/[\u0000-\u001f\u007f-\u009f]/.test(l.text));
      } catch (err) {
        return isReceiptError(err) && err.code === 'RECEIPT_DATA';
      }
    }),
  );
  t.pass('random input handled');
});

t.test('every transaction type and result prints on one row of the paper, in both languages', async (t) => {
  const { messages } = await import('../../src/receipt/messages/index.js');
  const { renderText } = await import('../../hal/devices/escpos/printed.js');
  const r = await rig();
  const results = ['approved', 'declined', 'reversed', 'voided', 'refunded', 'failed', 'cancelled'] as const;
  const types = ['sale', 'refund', 'void', 'preauth', 'completion', 'preauth-cancel', 'balance'] as const;
  for (const lang of ['en', 'zh'] as const) {
    for (let i = 0; i < results.length; i++) {
      const from = r.model.items().length;
      await r.printer.print(formatReceipt(sale({ result: results[i], txnType: types[i] }), 'merchant', lang, { columns: r.printer.columns }));
      // As on paper: double-width characters take two cells, a line wider than the paper wraps.
      const rows = renderText(r.model.items().slice(from), 32).map((l) => l.replace(/\s/g, ''));
      const one = (words: string): boolean => rows.includes(words.replace(/\s/g, ''));
      const m = messages(lang);
      t.ok(one(m.result[results[i]]), `${lang} ${results[i]} on one row`);
      t.ok(one(m.txnType[types[i]]), `${lang} ${types[i]} on one row`);
    }
  }
  await r.close();
  t.same(r.model.errors, []);
});

t.test("the time is the terminal's local time", async (t) => {
  const { receiptTime } = await import('../../src/receipt/format.js');
  t.equal(receiptTime('2026-11-28T13:45:07'), '2026-11-28 13:45:07', 'no zone: local already, printed as written');
  // IANA tz database: Asia/Shanghai is UTC+8 all year (no daylight saving since 1991).
  t.equal(receiptTime('2026-11-28T05:45:07.123Z', 'Asia/Shanghai'), '2026-11-28 13:45:07', 'Date.toISOString() shown in Beijing time');
  t.equal(receiptTime('2026-11-28T20:00:00Z', 'Asia/Shanghai'), '2026-11-29 04:00:00', 'across midnight');
  t.equal(receiptTime('2026-11-28T13:45:07+08:00', 'Asia/Shanghai'), '2026-11-28 13:45:07');
  // Europe/Berlin: UTC+1 in winter, UTC+2 in summer (EU summer time).
  t.equal(receiptTime('2026-07-01T10:00:00Z', 'Europe/Berlin'), '2026-07-01 12:00:00');
  t.throws(() => receiptTime('2026-11-28T05:45:07Z', 'Mars/Olympus'), { code: 'RECEIPT_DATA' });
  t.throws(() => receiptTime('2026-13-45T99:00:00Z'), { code: 'RECEIPT_DATA' });
  const lines = formatReceipt(sale({ at: '2026-11-28T05:45:07.000Z' }), 'merchant', 'en', { columns: 32, timeZone: 'Asia/Shanghai' }).lines;
  t.ok(lines.some((l) => l.kind === 'text' && /DATE\/TIME\s+2026-11-28 13:45:07$/.test(l.text)));
});

t.test('no card read (a void by reference): no card line, the rest prints', async (t) => {
  const lines = await printed(sale({ txnType: 'void', maskedPan: '', entryMode: '', original: { txnId: 'T-000400' } }), 'merchant');
  t.notOk(has(lines, /^CARD\s+[0-9*]/), 'no card line');
  t.notOk(has(lines, /^ENTRY/), 'no entry mode');
  t.ok(has(lines, /AMOUNT\s+CNY -88\.00$/));
});

t.test('80 mm paper: 48 columns, label and value at the two edges', async (t) => {
  const { textWidth } = await import('../../src/receipt/layout.js');
  for (const lang of ['en', 'zh'] as const) {
    const texts = formatReceipt(sale(), 'merchant', lang, { columns: 48 }).lines.flatMap((l) => (l.kind === 'text' && !l.style?.doubleWidth ? [l.text] : []));
    t.ok(texts.every((l) => textWidth(l) <= 48), `${lang}: no line wider than the paper`);
    const aid = texts.find((l) => l.startsWith('AID'))!;
    t.equal(textWidth(aid), 48, `${lang}: the AID line spans the paper`);
    t.ok(aid.endsWith('A0000000031010'));
  }
});

t.test('balance inquiry: the balance the host returned, not an amount', async (t) => {
  const lines = await printed(sale({ txnType: 'balance', amount: 0, balance: { amount: 123456, currency: 'CNY' } }), 'customer');
  t.ok(has(lines, /^BALANCE\s+CNY 1234\.56$/));
  t.notOk(has(lines, /^AMOUNT/));
  const zh = formatReceipt(sale({ txnType: 'balance', amount: 0, balance: { amount: 500, currency: 'CNY' } }), 'customer', 'zh', { columns: 32 }).lines;
  t.ok(zh.some((l) => l.kind === 'text' && /^余额\s+CNY 5\.00$/.test(l.text)));
  const none = formatReceipt(sale({ txnType: 'balance', amount: 0, result: 'declined', responseCode: '55' }), 'customer', 'en', { columns: 32 }).lines;
  t.notOk(none.some((l) => l.kind === 'text' && /^(AMOUNT|BALANCE)\s+CNY/.test(l.text)), 'declined: neither');
});
