import type { HasHttpStatus } from '../common/http-status.js';

/** qBittorrent refused the credentials given over the API; the ones in use stay as they were. */
export class CredentialsRefusedError extends Error implements HasHttpStatus {
  readonly httpStatus = 401;

  constructor(reason: string) {
    super(`${reason}; the credentials in use are unchanged`);
    this.name = 'CredentialsRefusedError';
  }
}
