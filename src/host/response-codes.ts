/**
 * ISO 8583:1987 field 39 response codes the terminal and the simulator use, with what the
 * cashier is told. `approved` codes complete a transaction; the rest decline it.
 */
export interface ResponseCode {
  code: string;
  meaning: string;
  /** Short text for a 16/20-column display. */
  display: string;
  approved: boolean;
}

export const RESPONSE_CODES: Readonly<Record<string, ResponseCode>> = Object.fromEntries(
  (
    [
      ['00', 'approved', 'APPROVED', true],
      ['01', 'refer to card issuer', 'CALL ISSUER', false],
      ['03', 'invalid merchant', 'INVALID MERCHANT', false],
      ['04', 'pick up card', 'PICK UP CARD', false],
      ['05', 'do not honour', 'DECLINED', false],
      ['12', 'invalid transaction', 'INVALID TXN', false],
      ['13', 'invalid amount', 'INVALID AMOUNT', false],
      ['14', 'invalid card number', 'INVALID CARD', false],
      ['21', 'no action taken', 'NO ACTION TAKEN', false],
      ['25', 'unable to locate record', 'NO RECORD', false],
      ['30', 'format error', 'FORMAT ERROR', false],
      ['41', 'lost card, pick up', 'PICK UP CARD', false],
      ['43', 'stolen card, pick up', 'PICK UP CARD', false],
      ['51', 'insufficient funds', 'NO FUNDS', false],
      ['54', 'expired card', 'EXPIRED CARD', false],
      ['55', 'incorrect PIN', 'WRONG PIN', false],
      ['57', 'transaction not permitted to cardholder', 'NOT PERMITTED', false],
      ['58', 'transaction not permitted to terminal', 'NOT PERMITTED', false],
      ['61', 'exceeds withdrawal amount limit', 'OVER LIMIT', false],
      ['65', 'exceeds withdrawal frequency limit', 'OVER LIMIT', false],
      ['68', 'response received too late', 'TIMEOUT', false],
      ['75', 'allowable number of PIN tries exceeded', 'PIN TRIES EXCEEDED', false],
      ['91', 'issuer or switch inoperative', 'ISSUER UNAVAILABLE', false],
      ['94', 'duplicate transmission', 'DUPLICATE', false],
      ['95', 'reconciliation error', 'RECONCILE ERROR', false],
      ['96', 'system malfunction', 'SYSTEM ERROR', false],
      ['A0', 'MAC verification failed', 'SECURITY ERROR', false],
    ] as const
  ).map(([code, meaning, display, approved]) => [code, { code, meaning, display, approved }]),
);

export function describeResponse(code: string): ResponseCode {
  return RESPONSE_CODES[code] ?? { code, meaning: `response code ${code}`, display: `DECLINED ${code}`, approved: false };
}
