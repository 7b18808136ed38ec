/** Keys of the link to the acquirer host (the host-link work adds its own here). */
import type { ConfigKeyDef } from '../schema.js';

declare module '../schema.js' {
  interface ConfigValues {
    'host.address': string;
    'host.tls': boolean;
  }
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV6 = /^\[[0-9A-Fa-f:.]{2,45}\]$/;

/** host:port with a DNS name, an IPv4 address or a bracketed IPv6 address, and a port 1..65535. */
export function checkHostPort(value: string): string | undefined {
  const expected = 'host:port, e.g. "acquirer.example.com:8583", "10.0.0.5:8583" or "[::1]:8583"';
  const colon = value.lastIndexOf(':');
  if (colon <= 0) return expected;
  const host = value.slice(0, colon);
  const port = value.slice(colon + 1);
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) return `${expected} (port 1 to 65535)`;
  return HOSTNAME.test(host) || IPV6.test(host) ? undefined : expected;
}

export const hostKeys: readonly ConfigKeyDef[] = [
  {
    key: 'host.address',
    type: 'string',
    check: checkHostPort,
    expected: 'host:port',
    // The embedded acquirer simulator's address.
    default: '127.0.0.1:8583',
    description: 'acquirer host (or switch) the terminal sends ISO 8583 messages to',
  },
  { key: 'host.tls', type: 'boolean', default: false, description: 'use TLS to the host' },
];
