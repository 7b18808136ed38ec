/**
 * Model of a buzzer and status LEDs hanging on GPIO lines: it watches the electrical
 * levels and records what a person would hear and see: each beep as (startMs, durationMs)
 * and each LED change, with times from a monotonic clock (ms since the model started).
 */
import type { GpioLineRef, GpioValue } from '../../gpio.js';
import type { Unsubscribe } from '../../io.js';

/** The model's side of the GPIO lines (SimGpioController.pin gives this). */
export interface WatchedPins {
  pin(ref: GpioLineRef): { readonly level: GpioValue; readonly drivenByHost: boolean; onLevel(listener: (level: GpioValue) => void): Unsubscribe };
}

export interface BuzzerWiring {
  buzzer: GpioLineRef;
  ledGreen?: GpioLineRef;
  ledRed?: GpioLineRef;
  led?: GpioLineRef;
  /** Parts are switched on by a low level. */
  activeLow?: boolean;
}

export interface Beep {
  startMs: number;
  durationMs: number;
}

export type LedName = 'green' | 'red' | 'led';

export interface LedChange {
  atMs: number;
  led: LedName;
  on: boolean;
}

export class BuzzerModel {
  /** Finished beeps, in order. */
  readonly beeps: Beep[] = [];
  /** Every LED change, in order. */
  readonly ledChanges: LedChange[] = [];
  private readonly origin = performance.now();
  private beepStart: number | undefined;
  private readonly unsubscribe: Unsubscribe[] = [];
  private readonly ledLevel = new Map<LedName, boolean>();
  private readonly beepListeners = new Set<(beep: Beep) => void>();

  constructor(pins: WatchedPins, wiring: BuzzerWiring) {
    const active = (level: GpioValue): boolean => level === (wiring.activeLow ? 0 : 1);
    const buzzer = pins.pin(wiring.buzzer);
    this.unsubscribe.push(
      buzzer.onLevel((level) => {
        const on = buzzer.drivenByHost && active(level);
        if (on && this.beepStart === undefined) this.beepStart = this.now();
        else if (!on && this.beepStart !== undefined) {
          const beep = { startMs: this.beepStart, durationMs: this.now() - this.beepStart };
          this.beepStart = undefined;
          this.beeps.push(beep);
          for (const l of [...this.beepListeners]) l(beep);
        }
      }),
    );
    const leds: [LedName, GpioLineRef | undefined][] = [
      ['green', wiring.ledGreen],
      ['red', wiring.ledRed],
      ['led', wiring.led],
    ];
    for (const [name, ref] of leds) {
      if (ref === undefined) continue;
      const pin = pins.pin(ref);
      this.ledLevel.set(name, false);
      this.unsubscribe.push(
        pin.onLevel((level) => {
          const on = pin.drivenByHost && active(level);
          if (on === this.ledLevel.get(name)) return;
          this.ledLevel.set(name, on);
          this.ledChanges.push({ atMs: this.now(), led: name, on });
        }),
      );
    }
  }

  private now(): number {
    return performance.now() - this.origin;
  }

  /** Whether the buzzer sounds now. */
  get sounding(): boolean {
    return this.beepStart !== undefined;
  }

  /** Which LEDs are lit now (only the wired ones are present). */
  get leds(): Partial<Record<LedName, boolean>> {
    return Object.fromEntries(this.ledLevel);
  }

  /** Called at the end of every beep. */
  onBeep(listener: (beep: Beep) => void): Unsubscribe {
    this.beepListeners.add(listener);
    return () => void this.beepListeners.delete(listener);
  }

  /** Stops watching the lines. */
  close(): void {
    for (const u of this.unsubscribe) u();
    this.beepListeners.clear();
  }
}
