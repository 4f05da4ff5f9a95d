import type { HasHttpStatus } from '../common/http-status.js';

/** qBittorrent refused the credentials given over the API; the ones in use stay as they were. */
export class CredentialsRefusedError extends Error implements HasHttpStatus {
  readonly httpStatus = 401;

  constructor(reason: string) {
    super(`${reason}; the credentials in use are unchanged`);
    this.name = 'CredentialsRefusedError';
  }
}

/** Every qBittorrent has credentials of its own in QBITTORRENT_URL: there are none to replace. */
export class NoSharedCredentialsError extends Error implements HasHttpStatus {
  readonly httpStatus = 409;

  constructor() {
    super(
      'every qBittorrent of QBITTORRENT_URL has credentials of its own (user:password@): change them there',
    );
    this.name = 'NoSharedCredentialsError';
  }
}
