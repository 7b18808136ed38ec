// Minimal typing of the npm peer measured in bench/iso8583.bench.ts.
declare module 'iso_8583' {
  type Msg = Record<string, string>;
  type Formats = Record<string, { ContentType: string; Label?: string; LenType: string; MaxLen: number }>;
  export default class Iso {
    constructor(msg?: Msg, customFormats?: Formats);
    getRawMessage(): Buffer | { error: string };
    getIsoJSON(buf: Buffer, options?: { lenHeader?: boolean }): Msg | { error: string };
  }
}
