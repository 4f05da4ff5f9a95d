import type { HasHttpStatus } from '../../common/http-status.js';

/** Why a URL is not a magnet link we can hand to qBittorrent; the message says it precisely. */
export class InvalidMagnetError extends Error implements HasHttpStatus {
  readonly httpStatus = 400;

  constructor(message: string) {
    super(message);
    this.name = 'InvalidMagnetError';
  }
}
