import type { HasHttpStatus } from '../../common/http-status.js';
import type { MaybeTransient } from '../../retry/transient.js';

/**
 * Base of every failure the qBittorrent client reports: a 500, since qBittorrent failed.
 * Messages never hold a password or a cookie.
 */
export abstract class QbittorrentError extends Error implements MaybeTransient, HasHttpStatus {
  abstract readonly transient: boolean;
  readonly httpStatus: number = 500;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** No answer at all: connection refused or reset, unknown host, malformed HTTP. */
export class QbittorrentUnavailableError extends QbittorrentError {
  readonly transient = true;

  constructor(
    readonly baseUrl: string,
    readonly code: string,
    /** The request was written whole before it failed: qBittorrent may have acted on it. */
    readonly sent = false,
  ) {
    super(`qBittorrent at ${baseUrl} is unreachable (${code})`);
  }
}

/** qBittorrent did not answer in time (or did not even take the connection). */
export class QbittorrentTimeoutError extends QbittorrentError {
  readonly transient = true;

  constructor(
    readonly operation: string,
    readonly timeoutMs: number,
    /** The request was written whole before the deadline: qBittorrent may have acted on it. */
    readonly sent = false,
  ) {
    super(`qBittorrent did not answer ${operation} within ${timeoutMs} ms`);
  }
}

/** An HTTP status the operation does not expect; 5xx and 429 are worth another try. */
export class QbittorrentHttpError extends QbittorrentError {
  readonly transient: boolean;

  constructor(
    readonly operation: string,
    readonly status: number,
  ) {
    super(`qBittorrent answered HTTP ${status} to ${operation}`);
    this.transient = status >= 500 || status === 429;
  }
}

/** qBittorrent answered 2xx with a body that is not what this operation returns (a proxy page, cut JSON). */
export class QbittorrentProtocolError extends QbittorrentError {
  readonly transient = false;

  constructor(
    readonly operation: string,
    detail: string,
  ) {
    super(`qBittorrent gave an unreadable answer to ${operation}: ${detail}`);
  }
}

export type AuthFailureReason = 'credentials' | 'banned' | 'session' | 'no-credentials';

/**
 * qBittorrent will not let us in. Never retried: repeated failed logins get our address banned.
 */
export class QbittorrentAuthError extends QbittorrentError {
  readonly transient = false;

  constructor(
    readonly reason: AuthFailureReason,
    message: string,
  ) {
    super(message);
  }

  static credentials(username: string): QbittorrentAuthError {
    return new QbittorrentAuthError(
      'credentials',
      `qBittorrent refused the login of user "${username}": check QBITTORRENT_USER and QBITTORRENT_PASSWORD`,
    );
  }

  static noCredentials(): QbittorrentAuthError {
    return new QbittorrentAuthError(
      'no-credentials',
      'no credentials for qBittorrent: set QBITTORRENT_USER and QBITTORRENT_PASSWORD, or POST /config/credentials',
    );
  }

  static banned(): QbittorrentAuthError {
    return new QbittorrentAuthError(
      'banned',
      'qBittorrent refused the login with 403: this address is banned after too many failed logins',
    );
  }

  static sessionRefused(operation: string): QbittorrentAuthError {
    return new QbittorrentAuthError(
      'session',
      `qBittorrent still answered 403 to ${operation} after logging in again`,
    );
  }

  /** The same refusal, still in force, without asking qBittorrent again. */
  remembered(retryInMs: number, refusals: number): QbittorrentAuthError {
    const seconds = Math.ceil(retryInMs / 1000);
    const count = refusals > 1 ? `refused ${refusals} times in a row; ` : '';
    return new QbittorrentAuthError(
      this.reason,
      `${this.message} (${count}next login attempt in ${seconds} s)`,
    );
  }
}

/** qBittorrent refused the torrent and does not hold it. */
export class TorrentRejectedError extends QbittorrentError {
  readonly transient = false;

  constructor(
    readonly hash: string,
    answer: string,
  ) {
    super(`qBittorrent refused torrent ${hash} (it answered ${answer}) and does not hold it`);
  }
}

/** What a TLS failure says about qBittorrent's WebUI certificate, by Node's (OpenSSL's) code. */
const TLS_PROBLEMS: Record<string, string> = {
  ...Object.fromEntries(
    [
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'UNABLE_TO_GET_ISSUER_CERT',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
      'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
      'CERT_SIGNATURE_FAILURE',
      'CERT_CHAIN_TOO_LONG',
      'CERT_UNTRUSTED',
      'CERT_REJECTED',
      'INVALID_CA',
      'INVALID_PURPOSE',
      'PATH_LENGTH_EXCEEDED',
    ].map((code) => [
      code,
      'presented a certificate this service does not trust: give the service the certificate of the CA that signed it (a self-signed certificate is its own CA) with NODE_EXTRA_CA_CERTS=/path/to/ca.pem',
    ]),
  ),
  CERT_HAS_EXPIRED: 'presented an expired certificate: renew it (WebUI settings, HTTPS)',
  ERROR_IN_CERT_NOT_AFTER_FIELD: 'presented a certificate with a broken expiry date: replace it',
  CERT_NOT_YET_VALID:
    'presented a certificate that is not valid yet: check the clocks of both machines',
  ERROR_IN_CERT_NOT_BEFORE_FIELD: 'presented a certificate with a broken start date: replace it',
  CERT_REVOKED: 'presented a revoked certificate: replace it',
  ERR_TLS_CERT_ALTNAME_INVALID:
    'presented a certificate for another name: use in QBITTORRENT_URL a host name the certificate names',
  HOSTNAME_MISMATCH:
    'presented a certificate for another name: use in QBITTORRENT_URL a host name the certificate names',
  ...Object.fromEntries(
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'EPROTO'].map((code) => [
      code,
      'does not speak TLS on that port: use http:// in QBITTORRENT_URL, or turn HTTPS on in its WebUI settings',
    ]),
  ),
};

/**
 * qBittorrent's WebUI is HTTPS and its certificate (or the handshake) fails: not a passing fault,
 * so never retried, and the message says what to change.
 */
export class QbittorrentTlsError extends QbittorrentError {
  readonly transient = false;

  constructor(
    readonly baseUrl: string,
    readonly code: string,
  ) {
    super(
      `qBittorrent at ${baseUrl} ${TLS_PROBLEMS[code] ?? 'failed the TLS handshake'} (${code})`,
    );
  }

  /** Whether a connection error of this code is a TLS failure. */
  static knows(code: string): boolean {
    return code in TLS_PROBLEMS;
  }
}

/**
 * Whether a failure means the instance cannot be used now, whatever is asked of it: it refuses
 * connections or does not answer, refuses our login, or fails TLS. With several qBittorrents such
 * an instance is skipped, marked down and looked at again in the background.
 */
export function isInstanceOutage(error: unknown): boolean {
  return (
    error instanceof QbittorrentUnavailableError ||
    error instanceof QbittorrentTimeoutError ||
    error instanceof QbittorrentTlsError ||
    (error instanceof QbittorrentAuthError && error.reason !== 'session')
  );
}

/** Whether a failed call may have reached qBittorrent and been acted on: sent whole, no answer. */
export function mayHaveReached(error: unknown): boolean {
  return (
    (error instanceof QbittorrentUnavailableError || error instanceof QbittorrentTimeoutError) &&
    error.sent
  );
}

/**
 * A BitTorrent v2-only torrent sent to a qBittorrent on libtorrent 1.x, which cannot take it: no
 * retry will ever help, so it is refused (400, unsupported) before anything is sent.
 */
export class V2OnlyUnsupportedError extends QbittorrentError {
  readonly transient = false;
  override readonly httpStatus = 400;

  constructor(hash: string, qbittorrent: string, libtorrent: string) {
    super(
      `torrent ${hash} is BitTorrent v2 only, and qBittorrent ${qbittorrent} runs libtorrent ${libtorrent}, which cannot take it: send its v1 or hybrid link, or use a qBittorrent on libtorrent 2 (4.4 or later)`,
    );
  }
}
