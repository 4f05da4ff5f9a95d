import { HttpException, HttpStatus } from '@nestjs/common';
import { InvalidMagnetError } from '../qbittorrent/magnet.js';
import { QbittorrentError } from '../qbittorrent/qbittorrent.errors.js';
import { RetryFailedError } from '../qbittorrent/retry.service.js';
import { InvalidRequestError } from './invalid-request.error.js';
import { UnauthorizedError } from '../auth/unauthorized.error.js';
import { TorrentNotFoundError } from '../downloads/torrent-not-found.error.js';
import { RequestBodyError } from './request-body.js';
import { InvalidLinkError } from '../download/download-link.js';
import { TorrentFetchError } from '../torrent-file/torrent-fetch.error.js';
import { CredentialsRefusedError } from '../credentials/credentials-refused.error.js';

export interface MappedError {
  status: number;
  /** Safe to show the caller: our own words, never a secret, a stack or raw input. */
  message: string;
  /** True for failures of ours or qBittorrent's that deserve an error log with the real cause. */
  unexpected: boolean;
}

/** The one place where an error becomes an HTTP status and a message. */
export function mapError(error: unknown): MappedError {
  if (
    error instanceof InvalidRequestError ||
    error instanceof InvalidMagnetError ||
    error instanceof InvalidLinkError
  ) {
    return { status: HttpStatus.BAD_REQUEST, message: error.message, unexpected: false };
  }
  if (error instanceof UnauthorizedError) {
    return { status: HttpStatus.UNAUTHORIZED, message: error.message, unexpected: false };
  }
  if (error instanceof TorrentNotFoundError) {
    return { status: HttpStatus.NOT_FOUND, message: error.message, unexpected: false };
  }
  if (error instanceof RequestBodyError) {
    return { status: error.status, message: error.message, unexpected: false };
  }
  if (error instanceof TorrentFetchError) {
    const status = error.transient ? HttpStatus.BAD_GATEWAY : HttpStatus.BAD_REQUEST;
    return { status, message: error.message, unexpected: false };
  }
  if (error instanceof CredentialsRefusedError) {
    return { status: HttpStatus.UNAUTHORIZED, message: error.message, unexpected: false };
  }
  if (error instanceof RetryFailedError && error.cause instanceof TorrentFetchError) {
    return { status: HttpStatus.BAD_GATEWAY, message: error.message, unexpected: false };
  }
  if (error instanceof RetryFailedError || error instanceof QbittorrentError) {
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, message: error.message, unexpected: false };
  }
  if (error instanceof HttpException) {
    return { status: error.getStatus(), message: httpExceptionMessage(error), unexpected: false };
  }
  return {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    message: 'internal error',
    unexpected: true,
  };
}

function httpExceptionMessage(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message) && typeof message[0] === 'string') return message[0];
  return error.message;
}
