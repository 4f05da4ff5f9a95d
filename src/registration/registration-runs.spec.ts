import { afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { RetryAbortedError } from '../retry/retry.errors.js';
import { newConfigService } from '../config/testing/config.builder.js';
import { RegistrationRuns } from './registration-runs.js';
import type { RegistrationCause, RegistrationService } from './registration.service.js';

const MINUTE = 60_000; // REGISTRATION_RECOVERY_INTERVAL_MS's default

describe(RegistrationRuns.name, () => {
  let causes: RegistrationCause[];
  let finish: (() => void)[];
  let instant: boolean;
  let sut: RegistrationRuns;
  let lines: string[];

  /** Lets the promises of the registrations settle under fake time. */
  const settle = async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };

  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  beforeEach(() => {
    jest.useFakeTimers();
    causes = [];
    finish = [];
    instant = true;
    lines = [];
    jest.spyOn(Logger.prototype, 'log').mockImplementation((line) => void lines.push(String(line)));
    const registration = {
      enabled: true,
      registerUntilAccepted: jest.fn((signal: AbortSignal, cause: RegistrationCause) => {
        causes.push(cause);
        if (instant) return Promise.resolve({});
        return new Promise<object>((resolve, reject) => {
          finish.push(() => resolve({}));
          signal.addEventListener('abort', () => reject(new RetryAbortedError('registering')));
        });
      }),
    };
    sut = new RegistrationRuns(
      registration as unknown as RegistrationService,
      newConfigService({}),
    );
  });

  afterEach(async () => {
    await sut.stop();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('registers once at start-up, and never again while all is steady', async () => {
    sut.start();
    await jest.advanceTimersByTimeAsync(2 * 60_000);
    expect(causes).toEqual(['startup']);
  });

  it('registers at once when an instance answers again, saying why', async () => {
    sut.start();
    await settle();
    sut.recovered('qBittorrent at 10.0.0.1:8080');
    await settle();
    expect(causes).toEqual(['startup', 'recovery']);
    expect(lines).toContain(
      'qBittorrent at 10.0.0.1:8080 answers again: registering with the core so that it re-sends what failed (now)',
    );
  });

  it('registers at most once a minute for an instance that flaps, and once after the last return', async () => {
    sut.recovered('qBittorrent');
    await settle();
    for (let i = 0; i < 10; i++) {
      await jest.advanceTimersByTimeAsync(2000);
      sut.recovered('qBittorrent');
    }
    await settle();
    expect(causes).toEqual(['recovery']);
    await jest.advanceTimersByTimeAsync(MINUTE - 20_000 - 1);
    expect(causes).toEqual(['recovery']);
    await jest.advanceTimersByTimeAsync(1);
    expect(causes).toEqual(['recovery', 'recovery']);
    await jest.advanceTimersByTimeAsync(5 * MINUTE);
    expect(causes).toEqual(['recovery', 'recovery']);
  });

  it('registers once more after the registration under way when an instance returns meanwhile', async () => {
    instant = false;
    sut.start();
    await settle();
    sut.recovered('qBittorrent');
    sut.recovered('qBittorrent');
    expect(causes).toEqual(['startup']);
    finish.shift()?.();
    await settle();
    expect(causes).toEqual(['startup', 'recovery']);
  });

  it('registers no more once stopped', async () => {
    sut.recovered('qBittorrent');
    await settle();
    sut.recovered('qBittorrent'); // put off to the end of the minute
    await sut.stop();
    await jest.advanceTimersByTimeAsync(2 * MINUTE);
    sut.recovered('qBittorrent');
    expect(causes).toEqual(['recovery']);
  });
});
