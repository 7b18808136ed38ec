// Application selection: EMV Book 1 12 (contact: PSE then list of AIDs) and Book B 3.3
// (contactless: PPSE). Card errors on one application drop that application, never the run.
import { PPSE_NAME, PSE_NAME, readRecord, selectByName } from '../apdu/apdu.js';
import { isSuccess } from '../apdu/status-words.js';
import { TAG } from '../dict/tags.js';
import { findTlv, type Tlv } from '../ber/tlv.js';
import { CardFault, expectTemplate, type CardIo } from './card-io.js';
import type { AidConfig, Candidate } from './types.js';

export type SelectionResult = { kind: 'candidates'; candidates: Candidate[] } | { kind: 'card-blocked' };

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function startsWith(long: Uint8Array, prefix: Uint8Array): boolean {
  return long.length >= prefix.length && bytesEqual(long.subarray(0, prefix.length), prefix);
}

export { bytesEqual };

const ascii = (v: Uint8Array | undefined): string | undefined => (v === undefined ? undefined : String.fromCharCode(...v).replace(/[^\x20-\x7e]/g, '?'));

/** Book 1 12.3.1: the terminal AID that matches a card AID exactly, or as a prefix where partial matching is allowed. */
export function matchAid(cardAid: Uint8Array, aids: readonly AidConfig[]): AidConfig | undefined {
  let partial: AidConfig | undefined;
  for (const a of aids) {
    if (bytesEqual(a.aid, cardAid)) return a;
    if (a.partialMatch && startsWith(cardAid, a.aid) && (partial === undefined || a.aid.length > partial.aid.length)) partial = a;
  }
  return partial;
}

function candidateFrom(node: Tlv, aid: Uint8Array, config: AidConfig): Candidate {
  const api = findTlv([node], TAG.APPLICATION_PRIORITY_INDICATOR)?.value;
  const prio = api !== undefined && api.length === 1 ? api[0]! & 0x0f : 0;
  return {
    aid: Uint8Array.from(aid),
    label: ascii(findTlv([node], TAG.APPLICATION_LABEL)?.value),
    preferredName: ascii(findTlv([node], TAG.APPLICATION_PREFERRED_NAME)?.value),
    priority: prio === 0 ? undefined : prio,
    confirmationRequired: api !== undefined && api.length === 1 && (api[0]! & 0x80) !== 0,
    config,
  };
}

/** Book 1 12.4: by priority (1 highest), entries without priority last, card order otherwise. */
export function orderCandidates(list: readonly Candidate[]): Candidate[] {
  return list
    .map((c, i) => ({ c, i }))
    .sort((a, b) => (a.c.priority ?? 16) - (b.c.priority ?? 16) || a.i - b.i)
    .map((x) => x.c);
}

/** Directory entries (61) of a PSE/PPSE, each matched against the terminal's AIDs. */
function fromDirectory(entries: readonly Tlv[], aids: readonly AidConfig[], out: Candidate[]): void {
  for (const e of entries) {
    if (e.tag !== TAG.APPLICATION_TEMPLATE || e.children === undefined) continue;
    const adf = findTlv(e.children, TAG.ADF_NAME)?.value;
    if (adf === undefined || adf.length < 5 || adf.length > 16) continue;
    const config = matchAid(adf, aids);
    if (config !== undefined) out.push(candidateFrom(e, adf, config));
  }
}

/** Contactless: SELECT PPSE and read its directory from the FCI (Book B 3.3.2). No PPSE gives no candidates. */
export async function selectPpse(io: CardIo, aids: readonly AidConfig[]): Promise<SelectionResult> {
  const r = await io.exchange(selectByName(PPSE_NAME));
  const out: Candidate[] = [];
  if (r.sw !== 0x9000) return { kind: 'candidates', candidates: out };
  try {
    const fci = expectTemplate(r.data, TAG.FCI_TEMPLATE, 'PPSE FCI');
    const bf0c = findTlv(fci.children!, TAG.FCI_ISSUER_DISCRETIONARY_DATA);
    if (bf0c?.children !== undefined) fromDirectory(bf0c.children, aids, out);
  } catch (err) {
    if (!(err instanceof CardFault)) throw err;
  }
  return { kind: 'candidates', candidates: out };
}

/** Contact: PSE (Book 1 12.3.2), falling back to the list of AIDs (12.3.3). */
export async function selectContact(io: CardIo, aids: readonly AidConfig[]): Promise<SelectionResult> {
  const r = await io.exchange(selectByName(PSE_NAME));
  if (r.sw === 0x6a81) return { kind: 'card-blocked' }; // Book 1 12.3.2 step 1: card blocked or SELECT unsupported
  if (r.sw === 0x9000) {
    const fromPse = await readPse(io, r.data, aids);
    if (fromPse !== undefined && fromPse.length > 0) return { kind: 'candidates', candidates: fromPse };
  }
  return listOfAids(io, aids);
}

async function readPse(io: CardIo, fciBytes: Uint8Array, aids: readonly AidConfig[]): Promise<Candidate[] | undefined> {
  let sfi: number;
  try {
    const fci = expectTemplate(fciBytes, TAG.FCI_TEMPLATE, 'PSE FCI');
    const v = findTlv(fci.children!, TAG.SFI)?.value;
    if (v === undefined || v.length !== 1 || v[0]! < 1 || v[0]! > 10) return undefined;
    sfi = v[0]!;
  } catch (err) {
    if (err instanceof CardFault) return undefined;
    throw err;
  }
  const out: Candidate[] = [];
  for (let rec = 1; rec <= 255; rec++) {
    const rr = await io.exchange(readRecord(sfi, rec));
    if (rr.sw === 0x6a83) break; // end of the directory (Book 1 12.3.2 step 4)
    if (rr.sw !== 0x9000) return undefined; // other errors: fall back to the list of AIDs
    try {
      const t = expectTemplate(rr.data, TAG.RECORD_TEMPLATE, 'PSE record', true);
      fromDirectory(t.children!, aids, out);
    } catch (err) {
      if (err instanceof CardFault) return undefined;
      throw err;
    }
  }
  return out;
}

/** Book 1 12.3.3: SELECT each terminal AID; partial matches repeat SELECT with P2 02 (next occurrence). */
async function listOfAids(io: CardIo, aids: readonly AidConfig[]): Promise<SelectionResult> {
  const out: Candidate[] = [];
  for (const config of aids) {
    let next = false;
    for (let guard = 0; guard < 16; guard++) {
      const r = await io.exchange(selectByName(config.aid, { next }));
      if (r.sw === 0x6a81 && !next) return { kind: 'card-blocked' };
      if (!isSuccess(r.sw)) break;
      let fci: Tlv;
      try {
        fci = expectTemplate(r.data, TAG.FCI_TEMPLATE, 'FCI');
      } catch (err) {
        if (err instanceof CardFault) break;
        throw err;
      }
      const df = findTlv(fci.children!, TAG.DF_NAME)?.value;
      if (df === undefined) break;
      const blocked = r.sw === 0x6283;
      if (bytesEqual(df, config.aid)) {
        if (!blocked) out.push(candidateFrom(fci, df, config));
        break; // exact match: step 3a, on to the next terminal AID
      }
      if (!config.partialMatch || !startsWith(df, config.aid)) break;
      if (!blocked) out.push(candidateFrom(fci, df, config));
      next = true;
    }
  }
  return { kind: 'candidates', candidates: out };
}
