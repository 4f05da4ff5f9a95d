import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { loadAppConfig } from '../config/app.config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import {
  QbittorrentAuthError,
  QbittorrentHttpError,
  QbittorrentProtocolError,
  QbittorrentTimeoutError,
  QbittorrentUnavailableError,
  TorrentRejectedError,
} from '../qbittorrent/wire/qbittorrent.errors.js';
import { RetryAbortedError, RetryFailedError } from './retry.errors.js';
import { RetryService } from './retry.service.js';

const unavailable = () => new QbittorrentUnavailableError('http://127.0.0.1:1', 'ECONNREFUSED');

describe(RetryService.name, () => {
  let sut: RetryService;
  let warn: jest.SpiedFunction<Logger['warn']>;

  beforeEach(() => {
    jest.useFakeTimers();
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    sut = new RetryService(new ConfigService(loadAppConfig({})), new MetricsService());
  });

  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('returns the first success without waiting', async () => {
    const operation = jest.fn(() => Promise.resolve('done'));
    await expect(sut.execute(operation, { label: 'x', operation: 'test' })).resolves.toBe('done');
    expect(operation).toHaveBeenCalledTimes(1);
  });

  it('waits 1 s, then 2 s between attempts by default, and succeeds on the third', async () => {
    const operation = jest
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(unavailable())
      .mockRejectedValueOnce(unavailable())
      .mockResolvedValueOnce('done');
    const result = sut.execute(operation, {
      label: 'adding torrent abc to qBittorrent',
      operation: 'add',
    });

    await jest.advanceTimersByTimeAsync(0);
    expect(operation).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(999);
    expect(operation).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(operation).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(1999);
    expect(operation).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toBe('done');
    expect(operation).toHaveBeenCalledTimes(3);
  });

  it('logs each retry with its attempt number and delay', async () => {
    const operation = jest
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(unavailable())
      .mockRejectedValueOnce(unavailable())
      .mockResolvedValueOnce('done');
    const result = sut.execute(operation, {
      label: 'adding torrent abc to qBittorrent',
      operation: 'add',
    });
    await jest.advanceTimersByTimeAsync(3000);
    await result;

    expect(warn.mock.calls.map((call) => String(call[0]))).toEqual([
      expect.stringMatching(
        /^Adding torrent abc to qBittorrent: attempt 1\/3 failed \(.*ECONNREFUSED.*\); retrying in 1000 ms$/,
      ),
      expect.stringMatching(
        /^Adding torrent abc to qBittorrent: attempt 2\/3 failed \(.*\); retrying in 2000 ms$/,
      ),
    ]);
  });

  it('gives up after the last attempt, naming the cause and the count', async () => {
    const last = new QbittorrentHttpError('torrents/add', 503);
    const operation = jest
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(unavailable())
      .mockRejectedValueOnce(unavailable())
      .mockRejectedValueOnce(last);
    const result = sut.execute(operation, {
      label: 'adding torrent abc to qBittorrent',
      operation: 'add',
    });
    const settled = result.catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(3000);

    const error = (await settled) as RetryFailedError;
    expect(error).toBeInstanceOf(RetryFailedError);
    expect(error.attempts).toBe(3);
    expect(error.exhausted).toBe(true);
    expect(error.cause).toBe(last);
    expect(error.message).toBe(
      'Adding torrent abc to qBittorrent failed after 3 attempts: qBittorrent answered HTTP 503 to torrents/add',
    );
    expect(operation).toHaveBeenCalledTimes(3);
  });

  it.each([
    ['connection refused', unavailable()],
    ['timeout', new QbittorrentTimeoutError('torrents/add', 5000)],
    ['HTTP 500', new QbittorrentHttpError('torrents/add', 500)],
    ['HTTP 502', new QbittorrentHttpError('torrents/add', 502)],
    ['HTTP 503', new QbittorrentHttpError('torrents/add', 503)],
    ['HTTP 429', new QbittorrentHttpError('torrents/add', 429)],
  ])('retries a transient failure: %s', async (_name, failure) => {
    const operation = jest
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(failure)
      .mockResolvedValueOnce('ok');
    const result = sut.execute(operation, { label: 'x', operation: 'test' });
    await jest.advanceTimersByTimeAsync(1000);
    await expect(result).resolves.toBe('ok');
    expect(operation).toHaveBeenCalledTimes(2);
  });

  it.each([
    ['HTTP 400', new QbittorrentHttpError('torrents/add', 400)],
    ['HTTP 401', new QbittorrentHttpError('torrents/add', 401)],
    ['HTTP 404', new QbittorrentHttpError('torrents/add', 404)],
    ['HTTP 409', new QbittorrentHttpError('torrents/add', 409)],
    ['HTTP 415', new QbittorrentHttpError('torrents/add', 415)],
    ['bad credentials', QbittorrentAuthError.credentials('admin')],
    ['banned address', QbittorrentAuthError.banned()],
    ['torrent refused', new TorrentRejectedError('a'.repeat(40), 'Fails.')],
    ['unreadable answer', new QbittorrentProtocolError('torrents/info', 'expected JSON')],
    ['a plain Error', new Error('bug')],
  ])('does not retry: %s', async (_name, failure) => {
    const operation = jest.fn<() => Promise<string>>().mockRejectedValue(failure);
    const error = (await sut
      .execute(operation, { label: 'x', operation: 'test' })
      .catch((e: unknown) => e)) as RetryFailedError;
    expect(error).toBeInstanceOf(RetryFailedError);
    expect(error.attempts).toBe(1);
    expect(error.exhausted).toBe(false);
    expect(error.cause).toBe(failure);
    expect(error.message).toContain('failed after 1 attempt (not retried)');
    expect(operation).toHaveBeenCalledTimes(1);
    expect(warn).not.toHaveBeenCalled();
  });

  it('follows RETRY_MAX_ATTEMPTS and RETRY_BASE_DELAY_MS', async () => {
    sut = new RetryService(
      new ConfigService(loadAppConfig({ RETRY_MAX_ATTEMPTS: '4', RETRY_BASE_DELAY_MS: '100' })),
      new MetricsService(),
    );
    const operation = jest.fn<() => Promise<string>>().mockRejectedValue(unavailable());
    const settled = sut
      .execute(operation, { label: 'x', operation: 'test' })
      .catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(100 + 200 + 400 - 1);
    expect(operation).toHaveBeenCalledTimes(3);
    await jest.advanceTimersByTimeAsync(1);
    expect(((await settled) as RetryFailedError).attempts).toBe(4);
  });

  it('caps the delay at maxDelayMs', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => sut.delayAfter(n, 2000, 60_000))).toEqual([
      2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000,
    ]);
  });

  it('stops waiting and rejects with RetryAbortedError when aborted', async () => {
    const controller = new AbortController();
    const operation = jest.fn<() => Promise<string>>().mockRejectedValue(unavailable());
    const settled = sut
      .execute(operation, {
        label: 'registering',
        operation: 'register',
        maxAttempts: Infinity,
        signal: controller.signal,
      })
      .catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(500);
    controller.abort();
    expect(await settled).toBeInstanceOf(RetryAbortedError);
    expect(operation).toHaveBeenCalledTimes(1);
    expect(jest.getTimerCount()).toBe(0);
  });
});
