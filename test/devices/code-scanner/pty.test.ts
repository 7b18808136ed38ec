// The CodeScanner conformance suite over a real pseudo-terminal pair (socat), the model on the far tty.
import t from 'tap';
import { scannerConformance } from '../../conformance/scanner.js';
import { ptyEnds, scannerRig } from './rig.js';

scannerConformance(t, { name: 'pty, CR with AIM prefix', factory: () => scannerRig(ptyEnds, { aimPrefix: true, idleTimeoutMs: 500 }) });
