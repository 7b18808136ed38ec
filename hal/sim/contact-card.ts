/**
 * The catalogue's virtual cards (emv/cards TEST_CARDS) as contact cards a sim or vpcd
 * reader can hold: the card's contact interface behind an EMV basic ATR, answering over
 * T=1 (whole responses) or, wrapped in {@link t0OnlyCard}, only with T=0's case 2/4
 * procedures (61xx GET RESPONSE, 6Cxx re-send).
 */
import { fromHex } from '../../emv/bytes.js';
import { createCard } from '../../emv/cards/catalogue.js';
import type { PcscProtocol, VirtualContactCard } from '../pcsc.js';
import { t0OnlyCard } from './pcsc.js';

/** EMV Book 1 8.3.3 basic ATR for a T=1 card: TD1 81, TD2 31, TA3 FE (IFSC 254), TB3 45 (BWI 4, CWI 5), TCK EB. */
export const BASIC_ATR_T1 = fromHex('3BE000008131FE45EB');
/** EMV Book 1 8.3.3 basic ATR for a T=0 card: TB1 00, TC1 00, no TD1 (so T=0), five historical bytes. */
export const BASIC_ATR_T0 = fromHex('3B6500009C11010103');

/**
 * A fresh catalogue card (its own ATC and PIN try counter) in a contact slot. `protocol`
 * picks the basic ATR and, for T=0, the case 2/4 procedures. Throws EMV_CARD_UNKNOWN for
 * a name the catalogue does not have.
 */
export function catalogueContactCard(name: string, protocol: PcscProtocol = 'T=1'): VirtualContactCard {
  const card = createCard(name, 'contact');
  const t1: VirtualContactCard = {
    atr: BASIC_ATR_T1,
    reset: () => card.reset(),
    transceive: (capdu) => card.transceive(capdu),
  };
  return protocol === 'T=0' ? t0OnlyCard(t1, BASIC_ATR_T0) : t1;
}
