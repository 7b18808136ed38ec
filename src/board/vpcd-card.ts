/**
 * The far end of the sim-pcsc board's contact reader: a catalogue TEST card served over
 * vsmartcard-vpcd (`pos vpcd-card`). Lives in the composition root because it wires a
 * virtual card to the vpcd card server.
 */
import { TEST_CARDS } from '../../emv/cards/catalogue.js';
import { catalogueContactCard } from '../../hal/sim/contact-card.js';
import { VpcdCard, VPCD_DEFAULT_PORT } from '../../hal/sim/vpcd.js';

/** The catalogue cards that have a contact interface. */
export function contactCardNames(): string[] {
  return TEST_CARDS.filter((c) => c.interfaces.includes('contact')).map((c) => c.name);
}

export interface VpcdCardRequest {
  readonly name: string;
  readonly protocol: 'T=0' | 'T=1';
  readonly port?: number;
  /** Keep trying to reach vpcd this long (ms). */
  readonly retryForMs?: number;
}

/** Inserts the catalogue card `name` into vpcd's slot; the card answers until removed or vpcd goes away. */
export async function insertVpcdCard(request: VpcdCardRequest): Promise<{ card: VpcdCard; atr: Uint8Array }> {
  const virtual = catalogueContactCard(request.name, request.protocol);
  const card = await VpcdCard.insert(virtual, { port: request.port ?? VPCD_DEFAULT_PORT, retryForMs: request.retryForMs ?? 0 });
  return { card, atr: Uint8Array.from(virtual.atr) };
}
