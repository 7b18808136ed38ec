/** `pos tools track decode`: ISO/IEC 7813 track 1, track 2 or Track 2 Equivalent Data (tag 57). */
import { flag, hexArg, printJson, UsageError, type Command } from '../command.js';
import { parseTrack, parseTrack2Equivalent, isExpired, expiryMonth, type TrackData } from '../../../emv/track/track.js';
import { decodeServiceCode } from '../../../emv/track/service-code.js';
import { maskPan } from '../../../emv/track/pan.js';

const decode: Command = {
  summary: 'decode track 1, track 2 or tag 57 hex into PAN, name, expiry, service code',
  usage: `pos tools track decode TEXT [--json] [--reveal]

TEXT is a track as the reader frames it (%B...^...^...? or ;...=...?, sentinels and the LRC
optional) or Track 2 Equivalent Data as hex (tag 57: digits with a D separator).
The PAN is masked (first 6, last 4) and discretionary data hidden unless --reveal is given.
--json prints { "pan", "name", "expiry" (YYMM), "serviceCode", ... }. Quote the text in a
shell: ^ ; ? and = are special to some shells.`,
  options: { json: { type: 'boolean' }, reveal: { type: 'boolean' } },
  run(args, io) {
    if (args.positionals.length !== 1) throw new UsageError(args.positionals.length === 0 ? 'missing TEXT' : 'expected one TEXT argument (quote it)');
    const text = args.positionals[0]!;
    const tag57 = /^[0-9A-Fa-f\s]+$/.test(text) && /[Dd]/.test(text);
    const t: TrackData = tag57 ? parseTrack2Equivalent(hexArg(text, 'TEXT')) : parseTrack(text);
    const reveal = flag(args, 'reveal');
    const sc = decodeServiceCode(t.serviceCode);
    const { year, month } = expiryMonth(t.expiry);
    const expired = isExpired(t.expiry, new Date());
    const pan = reveal ? t.pan : maskPan(t.pan);
    if (flag(args, 'json')) {
      printJson(io, {
        source: t.source,
        pan,
        panLength: t.pan.length,
        luhnValid: t.luhnValid,
        name: t.name ?? null,
        expiry: t.expiry,
        expired,
        serviceCode: t.serviceCode,
        serviceCodeMeaning: sc.meaning,
        chipCapable: t.chipCapable,
        discretionary: reveal ? t.discretionary : null,
        discretionaryLength: t.discretionary.length,
      });
      return 0;
    }
    const lines = [
      `${t.source === 'track1' ? 'track 1' : t.source === 'track2' ? 'track 2' : 'track 2 equivalent data (tag 57)'}`,
      `  PAN            ${pan} (${t.pan.length} digits, Luhn ${t.luhnValid ? 'OK' : 'FAILS'})`,
      ...(t.name !== undefined ? [`  name           ${t.name}`] : []),
      `  expiry (YYMM)  ${t.expiry} (${year}-${String(month).padStart(2, '0')}${expired ? ', expired' : ''})`,
      `  service code   ${t.serviceCode}`,
      ...sc.meaning.map((m) => `    ${m}`),
      `  chip card      ${t.chipCapable ? 'yes: use the chip reader (magstripe only as fallback after a chip failure)' : 'no'}`,
      `  discretionary  ${reveal ? t.discretionary || '(none)' : `${t.discretionary.length} characters (hidden; --reveal shows them)`}`,
    ];
    io.out(lines.join('\n') + '\n');
    return 0;
  },
};

const track: Command = {
  summary: 'magnetic stripe track decoder (ISO/IEC 7813)',
  subcommands: { decode: async () => decode },
};
export default track;
