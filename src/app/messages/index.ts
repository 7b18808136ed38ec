/**
 * The message catalogs: English (the character LCD) and Chinese (a graphic display, the
 * control channel), and `format` for their `{name}` parameters.
 */
import { en, type Catalog, type MessageKey } from './en.js';
import { zh } from './zh.js';

export type { Catalog, MessageKey } from './en.js';
export { en } from './en.js';
export { zh } from './zh.js';

export type Language = 'en' | 'zh';

export const CATALOGS: Readonly<Record<Language, Catalog>> = { en, zh };

export type MessageParams = Readonly<Record<string, string | number>>;

/** The text of `key` with its `{name}` parameters filled in; an unknown parameter stays as written. */
export function format(catalog: Catalog, key: MessageKey, params: MessageParams = {}): string {
  return catalog[key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}
