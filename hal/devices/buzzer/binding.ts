import type { DeviceBinding } from '../binding.js';

/** A buzzer and status light(s) on GPIO lines (through a transistor; hardware.md 10.1 lists free lines). */
export const buzzerBinding: DeviceBinding = {
  compatible: 'generic,gpio-buzzer',
  bus: 'gpio',
  roles: ['indicator'],
  description: 'buzzer and status LED(s) on GPIO lines',
  props: {
    type: 'object',
    properties: {
      buzzer: { type: 'gpio', description: 'line that sounds the buzzer (an active buzzer: on while the line is active)' },
      ledGreen: { type: 'gpio', description: 'green status LED (ready; green + red = busy)' },
      ledRed: { type: 'gpio', description: 'red status LED (error)' },
      led: { type: 'gpio', description: 'a single status LED instead of green/red (on = ready, slow blink = busy, fast blink = error)' },
      activeLow: { type: 'boolean', default: false, description: 'every line is active low (driven low to sound / light)' },
    },
    required: ['buzzer'],
  },
};
