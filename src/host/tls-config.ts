/**
 * The host link's TLS options from the configuration (`host.tls`, `host.tlsCaFile`,
 * `host.tlsCertFile`, `host.tlsKeyFile`, `host.tlsServerName`): the files are read and
 * checked once at start, so that a missing or damaged one stops the start with an error
 * naming the key. Messages name keys and paths only, never file contents.
 */
import { readFile } from 'node:fs/promises';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { ConfigStore } from '../config/store.js';
import type { TlsOptions } from './channel.js';
import { HostError } from './errors.js';

async function readPem(key: string, file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new HostError('HOST_TLS_CONFIG', `${key}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

function certificate(key: string, file: string, pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw new HostError('HOST_TLS_CONFIG', `${key}: ${file} is not a PEM certificate`);
  }
}

/** The TLS options for the host channel, or undefined when `host.tls` is off. */
export async function tlsOptionsFromConfig(config: Pick<ConfigStore, 'get'>): Promise<TlsOptions | undefined> {
  if (!config.get('host.tls')) return undefined;
  const caFile = config.get('host.tlsCaFile');
  const certFile = config.get('host.tlsCertFile');
  const keyFile = config.get('host.tlsKeyFile');
  const servername = config.get('host.tlsServerName');
  if (caFile === undefined) throw new HostError('HOST_TLS_CONFIG', 'host.tls is on but host.tlsCaFile is not set: name the PEM file of the acquirer\'s CA certificate (config set host.tlsCaFile /path/ca.pem)');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new HostError('HOST_TLS_CONFIG', `${certFile === undefined ? 'host.tlsKeyFile is set without host.tlsCertFile' : 'host.tlsCertFile is set without host.tlsKeyFile'}: a client certificate needs both`);
  }
  const ca = await readPem('host.tlsCaFile', caFile);
  certificate('host.tlsCaFile', caFile, ca);
  const options: TlsOptions = { ca, ...(servername !== undefined ? { servername } : {}) };
  if (certFile === undefined || keyFile === undefined) return options;
  const cert = await readPem('host.tlsCertFile', certFile);
  const key = await readPem('host.tlsKeyFile', keyFile);
  const x509 = certificate('host.tlsCertFile', certFile, cert);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new HostError('HOST_TLS_CONFIG', `host.tlsKeyFile: ${keyFile} is not an unencrypted PEM private key`);
  }
  if (!x509.checkPrivateKey(privateKey)) throw new HostError('HOST_TLS_CONFIG', `host.tlsCertFile: ${certFile} is not the certificate of the key in host.tlsKeyFile (${keyFile})`);
  return { ...options, cert, key };
}
