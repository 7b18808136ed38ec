/**
 * Buzzer and status LED(s) on GPIO lines. Patterns (patterns.ts) play one at a time:
 * a new `signal` QUEUES behind the pattern playing and its promise resolves when its own
 * pattern has played (key clicks typed quickly play in order, none is lost). `close()`
 * cuts the pattern playing short (its promise resolves), rejects the queued ones with
 * HAL_CLOSED, silences the buzzer and turns the LEDs off before releasing the lines.
 */
import { HalError } from '../../errors.js';
import { monotonicClock, type Clock } from '../../clock.js';
import type { GpioController, GpioLine, GpioLineRef, GpioValue } from '../../gpio.js';
import type { Indicator, IndicatorPattern, LedState } from '../../roles/indicator.js';
import { ONE_LED_STATES, PATTERNS, TWO_LED_STATES } from './patterns.js';

export interface BuzzerProps {
  buzzer: GpioLineRef;
  ledGreen?: GpioLineRef;
  ledRed?: GpioLineRef;
  led?: GpioLineRef;
  activeLow?: boolean;
}

export interface BuzzerOpenOptions extends BuzzerProps {
  /** The controller the lines are opened on; the driver owns the lines, not the controller. */
  gpio: GpioController;
  /** What beep and pause lengths are held by (default the host's monotonic clock). */
  clock?: Clock;
}

interface Lines {
  buzzer: GpioLine;
  green?: GpioLine;
  red?: GpioLine;
  led?: GpioLine;
}

export class GpioBuzzer implements Indicator {
  private tail: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly stop = new AbortController();
  private blinkTimer: NodeJS.Timeout | undefined;
  private blinkLevel: GpioValue = 0;

  private constructor(
    private readonly lines: Lines,
    private readonly clock: Clock,
  ) {}

  static async open({ gpio, buzzer, ledGreen, ledRed, led, activeLow = false, clock = monotonicClock }: BuzzerOpenOptions): Promise<GpioBuzzer> {
    if (led !== undefined && (ledGreen !== undefined || ledRed !== undefined)) {
      throw new HalError('HAL_INVALID_ARGUMENT', 'buzzer: give either "led" or "ledGreen"/"ledRed", not both');
    }
    const opened: GpioLine[] = [];
    const out = async (ref: GpioLineRef | undefined): Promise<GpioLine | undefined> => {
      if (ref === undefined) return undefined;
      const line = await gpio.open(ref, { direction: 'out', initial: 0, activeLow });
      opened.push(line);
      return line;
    };
    try {
      const lines: Lines = { buzzer: (await out(buzzer))! };
      const green = await out(ledGreen);
      const red = await out(ledRed);
      const single = await out(led);
      if (green) lines.green = green;
      if (red) lines.red = red;
      if (single) lines.led = single;
      return new GpioBuzzer(lines, clock);
    } catch (err) {
      for (const line of opened) await line.close().catch(() => undefined);
      throw err;
    }
  }

  signal(pattern: IndicatorPattern): Promise<void> {
    if (this.closed) return Promise.reject(new HalError('HAL_CLOSED', 'buzzer: signal after close'));
    const steps = PATTERNS[pattern];
    if (!steps) return Promise.reject(new HalError('HAL_INVALID_ARGUMENT', `buzzer: no pattern "${String(pattern)}"`));
    const run = this.tail.then(async () => {
      if (this.closed) throw new HalError('HAL_CLOSED', `buzzer: closed before "${pattern}" played`);
      for (const step of steps) {
        if (this.stop.signal.aborted) return;
        await this.lines.buzzer.write(1);
        await this.clock.hold(step.on, this.stop.signal);
        await this.lines.buzzer.write(0);
        await this.clock.hold(step.off, this.stop.signal);
      }
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  async setLed(state: LedState): Promise<void> {
    if (this.closed) throw new HalError('HAL_CLOSED', 'buzzer: setLed after close');
    const two = TWO_LED_STATES[state];
    const one = ONE_LED_STATES[state];
    if (!two || one === undefined) throw new HalError('HAL_INVALID_ARGUMENT', `buzzer: no LED state "${String(state)}"`);
    await this.lines.green?.write(two.green);
    await this.lines.red?.write(two.red);
    const led = this.lines.led;
    if (!led) return;
    clearInterval(this.blinkTimer);
    this.blinkTimer = undefined;
    if (typeof one === 'number') {
      await led.write(one);
      return;
    }
    this.blinkLevel = 1;
    await led.write(1);
    this.blinkTimer = setInterval(() => {
      this.blinkLevel = this.blinkLevel ? 0 : 1;
      led.write(this.blinkLevel).catch(() => undefined);
    }, one.blinkMs);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stop.abort();
    clearInterval(this.blinkTimer);
    await this.tail;
    // Outputs keep their last level after close (gpio.ts): silence and darken first.
    for (const line of [this.lines.buzzer, this.lines.green, this.lines.red, this.lines.led]) {
      if (!line) continue;
      await line.write(0).catch(() => undefined);
      await line.close();
    }
  }
}
