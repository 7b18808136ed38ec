/**
 * Model of a buzzer and status LEDs hanging on GPIO lines: it watches the electrical
 * levels and records what a person would hear and see: each beep as (startMs, durationMs)
 * and each LED change, with times in ms since the model started, by its clock (hal/clock.ts).
 */
import type { GpioLineRef, GpioValue } from '../../gpio.js';
import type { Unsubscribe } from '../../io.js';
import { monotonicClock, type Clock } from '../../clock.js';

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
  private readonly now: () => number;
  private readonly origin: number;
  private beepStart: number | undefined;
  private readonly unsubscribe: Unsubscribe[] = [];
  private readonly ledLevel = new Map<LedName, boolean>();
  private readonly beepListeners = new Set<(beep: Beep) => void>();

  /** `clock`: what beeps are timed by (default the host's monotonic clock; share the driver's to measure what it played). */
  constructor(pins: WatchedPins, wiring: BuzzerWiring, clock: Pick<Clock, 'now'> = monotonicClock) {
    this.now = () => clock.now() - this.origin;
    this.origin = clock.now();
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
