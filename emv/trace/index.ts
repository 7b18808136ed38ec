/** APDU traces: format (read leniently, written canonically), redacting recorder, replay through the kernel. */
export { parseTrace, writeTrace, type Trace, type TraceExchange, type TraceHeader } from './format.js';
export { TraceRecorder, terminalHeader, type RecordedExchange } from './recorder.js';
export { redactCommand, redactResponse } from './redact.js';
export { replayTrace, ReplayCard, type Divergence, type ReplayOptions, type ReplayOutcome, type ReplayReport, type ReplayStep } from './replay.js';
