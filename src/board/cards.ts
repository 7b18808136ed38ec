/**
 * The virtual-card catalogue as the control channel, `pos cards` and the `make run` card
 * menu see it: names, schemes, how each card can be presented, and what it is for. Only
 * the composition root may import emv/cards.
 */
import { TEST_CARDS, type TestCard } from '../../emv/cards/catalogue.js';
import type { CardInterface } from '../../emv/cards/profile.js';
import type { ControlVia } from '../control/protocol.js';

export interface CatalogueCard {
  readonly name: string;
  /** Schemes of its applications, in the card's order, without repeats. */
  readonly schemes: readonly string[];
  /** How it can be presented: tap (contactless), insert (contact chip), swipe (stripe). */
  readonly vias: readonly ControlVia[];
  readonly description: string;
  /** The outcome a correct terminal reaches, and why. */
  readonly expected: string;
}

const ORDER: readonly ControlVia[] = ['tap', 'insert', 'swipe'];

/** The interfaces a via needs on the card. */
export const INTERFACE_OF: Readonly<Record<ControlVia, CardInterface>> = { tap: 'contactless', insert: 'contact', swipe: 'magstripe' };

function describe(card: TestCard): CatalogueCard {
  return {
    name: card.name,
    schemes: [...new Set(card.profile.applications.map((a) => a.scheme))],
    vias: ORDER.filter((v) => card.interfaces.includes(INTERFACE_OF[v])),
    description: card.description,
    expected: card.expected,
  };
}

export function catalogue(): CatalogueCard[] {
  return TEST_CARDS.map(describe);
}
