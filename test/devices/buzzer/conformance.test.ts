// The Indicator conformance suite against the buzzer model on sim GPIO, in each wiring.
import t from 'tap';
import { indicatorConformance } from '../../conformance/indicator.js';
import { buzzerRig } from './rig.js';

indicatorConformance(t, { name: 'sim, buzzer + green/red LEDs', factory: () => buzzerRig({ buzzer: 'GPIO18', ledGreen: 'GPIO23', ledRed: 'GPIO24' }) });
indicatorConformance(t, { name: 'sim, active-low buzzer + one LED', factory: () => buzzerRig({ buzzer: 'GPIO18', led: 'GPIO25', activeLow: true }) });
indicatorConformance(t, { name: 'sim, buzzer only', factory: () => buzzerRig({ buzzer: 'GPIO18' }) });
