/**
 * The wiring of every part the composition root knows, by compatible string. Adding a
 * part means one entry here (its driver, and its chip model for the sim board).
 */
import type { PartWiring } from './part.js';
import { hd44780Wiring } from './parts/hd44780.js';
import { matrixKeypadWiring } from './parts/matrix-keypad.js';
import { pn532Wiring } from './parts/pn532.js';
import { pcscWiring } from './parts/pcsc.js';
import { buzzerWiring, codeScannerWiring, escposWiring, magstripeWiring } from './parts/serial-parts.js';

const WIRINGS: PartWiring[] = [hd44780Wiring, matrixKeypadWiring, pn532Wiring, magstripeWiring, codeScannerWiring, buzzerWiring, escposWiring, pcscWiring];

export const PARTS: ReadonlyMap<string, PartWiring> = new Map(WIRINGS.map((w) => [w.compatible, w]));
