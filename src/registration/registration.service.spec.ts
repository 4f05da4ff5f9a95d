import { HttpService } from '@nestjs/axios';
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { FakeCoreService } from '../../test/fakes/fake-core-service.js';
import { newConfigService } from '../config/testing/config.builder.js';
import { DOWNLOADS_ROUTES } from '../downloads/downloads.routes.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { newRetryService } from '../retry/testing/retry.builder.js';
import { RetryAbortedError } from '../retry/retry.errors.js';
import { RegistrationService } from './registration.service.js';

describe(RegistrationService.name, () => {
  let core: FakeCoreService | undefined;

  /** The service as the application builds it, registering with `coreUrl`. */
  const registrationWith = (coreUrl: string) => {
    const env = {
      CORE_SERVICE_URL: coreUrl,
      SERVICE_HOST: 'downloader.test',
      PORT: '8123',
      REGISTRATION_INITIAL_DELAY_MS: '5',
      REGISTRATION_MAX_DELAY_MS: '10',
    };
    return new RegistrationService(
      new HttpService(),
      newRetryService(),
      newConfigService(env),
      new MetricsService(),
    );
  };

  beforeAll(() => {
    Logger.overrideLogger(false); // retry lines: what the core received is asserted instead
  });

  afterEach(async () => {
    await core?.stop();
    core = undefined;
  });

  it('announces the routes of the downloads feature and the link types it takes', () => {
    const sut = registrationWith('http://core:8000');
    expect(sut.enabled).toBe(true);
    expect(sut.payload()).toEqual({
      service_type: 'downloader',
      service_name: 'qbittorrent-downloader',
      host: 'downloader.test',
      port: 8123,
      capabilities: {
        download_endpoint: DOWNLOADS_ROUTES.single,
        batch_download_endpoint: DOWNLOADS_ROUTES.batch,
        supported_download_types: ['magnet', 'torrent'],
      },
    });
  });

  it('is off without a core service', () => {
    const sut = new RegistrationService(
      new HttpService(),
      newRetryService(),
      newConfigService({ CORE_SERVICE_URL: '' }),
      new MetricsService(),
    );
    expect(sut.enabled).toBe(false);
  });

  it('tries again, whatever the core answers, until it is accepted', async () => {
    core = await FakeCoreService.start([503, 500, 404, 201]);
    const receipt = await registrationWith(core.url).registerUntilAccepted(
      new AbortController().signal,
    );
    expect(receipt).toEqual({ service_id: 'svc-4', registered_at: expect.any(String) });
    expect(core.registrations).toHaveLength(4);
  });

  it('stops trying when told to, with RetryAbortedError', async () => {
    core = await FakeCoreService.start([503]);
    const shutdown = new AbortController();
    const registering = registrationWith(core.url).registerUntilAccepted(shutdown.signal);
    while (core.registrations.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    shutdown.abort();
    await expect(registering).rejects.toBeInstanceOf(RetryAbortedError);
  });
});
