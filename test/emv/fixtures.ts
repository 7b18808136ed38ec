// Response APDU data fields shaped as EMV Books 1 and 3 define them (written from the specs,
// hex with the structure annotated). Shared by the codec, cross-check and CLI tests.
// Every fixture is also parsed by the independent npm ber-tlv package in ber-crosscheck.test.ts.

export interface Fixture {
  name: string;
  /** Spec reference for the structure. */
  spec: string;
  hex: string;
}

const h = (s: string): string => s.replace(/\s+/g, '');

export const FIXTURES: Fixture[] = [
  {
    name: 'SELECT PSE response: FCI of the DDF 1PAY.SYS.DDF01',
    spec: 'EMV Book 1 11.3.4 Table 43',
    hex: h(`6F 1D
              84 0E 315041592E5359532E4444463031
              A5 0B
                88 01 01
                BF0C 05 5F2D 02 7A68`),
  },
  {
    name: 'SELECT PPSE response: directory with one Visa application',
    spec: 'EMV Contactless Book B 3.3.2 Table 3-2',
    hex: h(`6F 2D
              84 0E 325041592E5359532E4444463031
              A5 1B
                BF0C 18
                  61 16
                    4F 07 A0000000031010
                    50 04 56495341
                    87 01 01
                    9F2A 01 03`),
  },
  {
    name: 'GET PROCESSING OPTIONS response, format 1 (AIP 1800, AFL SFI 1 records 1-2, 1 for ODA)',
    spec: 'EMV Book 3 6.5.8.4',
    hex: h('80 06 1800 08010201'),
  },
  {
    name: 'GET PROCESSING OPTIONS response, format 2',
    spec: 'EMV Book 3 6.5.8.4',
    hex: h(`77 12
              82 02 1980
              94 0C 080101 00 100103 01 180102 00`),
  },
  {
    name: 'READ RECORD response: record template with PAN, expiry, CDOL1 and a long-form length',
    spec: 'EMV Book 3 6.5.11.4 and Annex B2',
    hex: h(`70 81 83
              5A 08 4761739001010010
              5F24 03 251231
              5F25 03 200101
              5F34 01 01
              8C 15 9F02069F03069F1A0295055F2A029A039C019F3704
              90 50 ${'AB'.repeat(80)}`),
  },
  {
    name: 'Issuer script template 71 with identifier and one script command',
    spec: 'EMV Book 3 10.10',
    hex: h(`71 12
              9F18 04 00000001
              86 09 841E0000 04 11223344`),
  },
];
