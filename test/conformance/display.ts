/**
 * Display role conformance (hal/roles/display.ts), run against every panel driver: with
 * its chip model in `make test`, on a real board in `make test-hw` (where `panelText` is
 * absent and a person looks at the panel).
 */
import type { Test } from 'tap';
import type { Display } from '../../hal/roles/display.js';

export interface DisplayRig {
  display: Display;
  /** What the panel itself shows, read back from the far end of the wire (a chip model). */
  panelText?: () => readonly string[];
  /** Releases what the factory built besides the display (buses, models). */
  cleanup?: () => Promise<void>;
}

export interface DisplaySuiteOptions {
  name: string;
  factory: () => Promise<DisplayRig>;
}

const fit = (line: string, cols: number): string => line.slice(0, cols).padEnd(cols, ' ');

export function displayConformance(t: Test, { name, factory }: DisplaySuiteOptions): void {
  t.test(`${name}: Display role`, async (t) => {
    const withRig = async (fn: (rig: DisplayRig) => Promise<void>): Promise<void> => {
      const rig = await factory();
      try {
        await fn(rig);
      } finally {
        await rig.display.close();
        await rig.cleanup?.();
      }
    };

    t.test('geometry is a character panel of at least one row', async (t) => {
      await withRig(async ({ display }) => {
        t.equal(display.kind, 'character');
        t.ok(Number.isInteger(display.cols) && display.cols > 0);
        t.ok(Number.isInteger(display.rows) && display.rows > 0);
      });
    });

    t.test('show() pads short lines, cuts long ones and blanks missing rows', async (t) => {
      await withRig(async ({ display, panelText }) => {
        const { cols, rows } = display;
        const lines = ['READY', 'X'.repeat(cols + 5)];
        await display.show(lines);
        const expected = Array.from({ length: rows }, (_, r) => fit(lines[r] ?? '', cols));
        t.same(display.text(), expected);
        if (panelText) t.same(panelText(), expected, 'the panel shows it');
      });
    });

    t.test('a second show() replaces the first', async (t) => {
      await withRig(async ({ display, panelText }) => {
        const { cols, rows } = display;
        await display.show(Array.from({ length: rows }, (_, r) => `LINE ${r} AAAA`));
        const next = Array.from({ length: rows }, (_, r) => (r % 2 ? `line ${r} AbAA` : ''));
        await display.show(next);
        const expected = next.map((l) => fit(l, cols));
        t.same(display.text(), expected);
        if (panelText) t.same(panelText(), expected);
      });
    });

    t.test('backlight switches; selfTest leaves the panel showing what text() says', async (t) => {
      await withRig(async ({ display, panelText }) => {
        await display.show(['SELF TEST']);
        await display.setBacklight(false);
        await display.setBacklight(true);
        await display.selfTest();
        if (panelText) t.same(panelText(), display.text());
        t.equal(display.text()[0], fit('SELF TEST', display.cols));
      });
    });

    t.test('calls after close reject with HAL_CLOSED', async (t) => {
      const rig = await factory();
      await rig.display.close();
      await t.rejects(rig.display.show(['x']), { code: 'HAL_CLOSED' });
      await t.rejects(rig.display.setBacklight(true), { code: 'HAL_CLOSED' });
      await rig.display.close(); // idempotent
      await rig.cleanup?.();
    });
  });
}
