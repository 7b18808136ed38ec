/**
 * Errors of the host link (ISO 8583 packager, channel, client, simulator). One table of
 * stable codes; messages say which field and which byte offset when a frame is at fault.
 */
export const HOST_ERROR_CODES = {
  HOST_LAYOUT: 'a message layout (built-in, JSON or GenericPackager XML) is invalid',
  HOST_PACK: 'a message cannot be packed with the layout (missing MTI, bad value, too long)',
  HOST_UNPACK: 'a received frame does not follow the layout (truncated, bad digit, unknown field, leftover bytes)',
  HOST_FRAME: 'the channel framing is broken (length header, oversize frame)',
  HOST_CONNECT: 'the host could not be reached within the connect time limit',
  HOST_DISCONNECTED: 'the connection to the host dropped',
  HOST_TIMEOUT: 'no matching response within the time limit for the message type',
  HOST_TLS: 'the TLS handshake or the host certificate check failed',
  HOST_TLS_CONFIG: 'a TLS file the configuration names (host.tlsCaFile, host.tlsCertFile, host.tlsKeyFile) is unset, unreadable, not PEM, or the certificate and key do not match',
  HOST_MAC: 'a message authentication code did not verify',
  HOST_CLOSED: 'the channel or client was closed',
} as const;

export type HostErrorCode = keyof typeof HOST_ERROR_CODES;

export class HostError extends Error {
  override readonly name = 'HostError';
  constructor(
    readonly code: HostErrorCode,
    message: string,
    /** The ISO 8583 field at fault, when there is one. */
    readonly field?: number,
    /** Byte offset in the frame, when there is one. */
    readonly offset?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
