/** Keys of APDU tracing (issue 10: traces are deleted after export or after a configured time). */
import type { ConfigKeyDef } from '../schema.js';

declare module '../schema.js' {
  interface ConfigValues {
    'trace.retentionHours': number;
    'trace.exportDir': string | undefined;
    'capk.testKeys': boolean;
  }
}

export const traceKeys: readonly ConfigKeyDef[] = [
  {
    key: 'trace.retentionHours',
    type: 'integer',
    min: 1,
    max: 720,
    default: 72,
    description: 'hours a recorded APDU trace is kept on the terminal before it is deleted unexported',
  },
  {
    key: 'trace.exportDir',
    type: 'string',
    pattern: /^\/\S.*$/,
    expected: 'an absolute folder path, e.g. the mount point of a USB stick "/media/usb0"',
    description: 'folder "trace export" writes to when no folder is given',
  },
  {
    key: 'capk.testKeys',
    type: 'boolean',
    default: false,
    description: 'also use the simulator TEST CA public keys (sim and training terminals only, never with live cards)',
  },
];
