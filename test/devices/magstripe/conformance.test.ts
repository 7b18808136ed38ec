// The StripeReader conformance suite against the model, over sim serial links in each reader format.
import t from 'tap';
import { stripeConformance } from '../../conformance/stripe.js';
import { msr605Rig, simEnds, stripeRig } from './rig.js';

stripeConformance(t, { name: 'sim, ID TECH style (CR, no LRC)', factory: () => stripeRig(simEnds, { idleTimeoutMs: 250 }) });
stripeConformance(t, {
  name: 'sim, MagTek style (STX ESC ... sensor CR ETX)',
  factory: () => stripeRig(simEnds, { stxEtx: true, esc: true, sensor: true, idleTimeoutMs: 250 }),
});
stripeConformance(t, { name: 'sim, CR LF with LRC', factory: () => stripeRig(simEnds, { lineEnding: 'crlf', lrc: true, idleTimeoutMs: 250 }) });
stripeConformance(t, {
  name: 'sim, ID TECH default (CR after every track)',
  factory: () => stripeRig(simEnds, { trackSeparator: 'line', idleTimeoutMs: 250 }),
});
stripeConformance(t, { name: 'sim, MSR605 command protocol', factory: () => msr605Rig(simEnds) });
