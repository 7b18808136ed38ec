// The CodeScanner conformance suite against the model over sim serial links, in each suffix setting.
import t from 'tap';
import { scannerConformance } from '../../conformance/scanner.js';
import { scannerRig, simEnds } from './rig.js';

scannerConformance(t, { name: 'sim, CR', factory: () => scannerRig(simEnds, { idleTimeoutMs: 250 }) });
scannerConformance(t, { name: 'sim, CR LF with AIM prefix', factory: () => scannerRig(simEnds, { lineEnding: 'crlf', aimPrefix: true, idleTimeoutMs: 250 }) });
scannerConformance(t, { name: 'sim, LF', factory: () => scannerRig(simEnds, { lineEnding: 'lf', idleTimeoutMs: 250 }) });
