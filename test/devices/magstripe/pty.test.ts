// The StripeReader conformance suite over a real pseudo-terminal pair (socat), the model on the far tty.
import t from 'tap';
import { stripeConformance } from '../../conformance/stripe.js';
import { msr605Rig, ptyEnds, stripeRig } from './rig.js';

stripeConformance(t, { name: 'pty, CR', factory: () => stripeRig(ptyEnds, { idleTimeoutMs: 500 }) });
stripeConformance(t, { name: 'pty, MagTek STX/ETX with LRC', factory: () => stripeRig(ptyEnds, { stxEtx: true, esc: true, sensor: true, lrc: true, idleTimeoutMs: 500 }) });
stripeConformance(t, { name: 'pty, MSR605 command protocol', factory: () => msr605Rig(ptyEnds) });
