/** Keys of the link to the acquirer host (the host-link work adds its own here). */
import type { ConfigKeyDef } from '../schema.js';

declare module '../schema.js' {
  interface ConfigValues {
    'host.address': string;
    'host.tls': boolean;
    'host.tlsCaFile': string | undefined;
    'host.tlsCertFile': string | undefined;
    'host.tlsKeyFile': string | undefined;
    'host.tlsServerName': string | undefined;
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
  { key: 'host.tls', type: 'boolean', default: false, description: 'use TLS to the host (host.tlsCaFile must name the acquirer\'s CA certificate)' },
  pemFile('host.tlsCaFile', 'PEM file of the acquirer\'s CA certificate: the only CA the host\'s server certificate may chain to (pinned); required when host.tls is on'),
  pemFile('host.tlsCertFile', 'PEM file of the terminal\'s own certificate, for a host that asks for one (mutual TLS; with host.tlsKeyFile)'),
  pemFile('host.tlsKeyFile', 'path of the PEM file holding the terminal\'s TLS private key (mutual TLS; with host.tlsCertFile); the key itself never goes into the configuration'),
  {
    key: 'host.tlsServerName',
    type: 'string',
    pattern: HOSTNAME,
    expected: 'a DNS name, e.g. "acquirer.example.com"',
    description: 'name the host\'s certificate must carry (default: the host part of host.address or --host)',
  },
];

function pemFile(key: string, description: string): ConfigKeyDef {
  return { key, type: 'string', pattern: /^\/\S.*$/, maxLength: 4096, expected: 'an absolute file path, e.g. "/etc/pos/acquirer-ca.pem"', description };
}
