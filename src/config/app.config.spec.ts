import { hostname } from 'node:os';
import { describe, expect, it } from '@jest/globals';
import { loadAppConfig } from './app.config.js';
import { InvalidEnvironmentError } from './config.errors.js';

describe(loadAppConfig.name, () => {
  it('applies the documented defaults to an empty environment', () => {
    expect(loadAppConfig({})).toEqual({
      http: { port: 8002, bindAddress: '0.0.0.0', apiToken: null, shutdownTimeoutMs: 10_000 },
      qbittorrent: {
        instances: [
          {
            url: 'http://localhost:8080',
            label: 'localhost:8080',
            credentials: { username: 'admin', password: 'adminadmin' },
            sharedCredentials: true,
            timeoutMs: 5000,
            loginCooldownMs: 30_000,
            draining: false,
          },
        ],
      },
      retry: { maxAttempts: 3, baseDelayMs: 1000 },
      registration: {
        coreServiceUrl: 'http://core-service:8000',
        serviceName: 'qbittorrent-downloader',
        serviceHost: hostname(),
        servicePort: 8002,
        initialDelayMs: 2000,
        maxDelayMs: 60_000,
        recoveryIntervalMs: 60_000,
      },
      torrentFetch: {
        allowPrivate: false,
        proxy: null,
        timeoutMs: 10_000,
        maxBytes: 10 * 1024 * 1024,
      },
      status: { deadTorrentAfterS: 3600 },
      logLevels: ['fatal', 'error', 'warn', 'log'],
      logFormat: 'text',
    });
  });

  it('reads every variable, converting numbers', () => {
    const config = loadAppConfig({
      PORT: '9000',
      BIND_ADDRESS: '127.0.0.1',
      QBITTORRENT_URL: 'http://qbittorrent:8080/',
      QBITTORRENT_USER: 'bangumi',
      QBITTORRENT_PASSWORD: 'pw',
      QBITTORRENT_TIMEOUT_MS: '2500',
      QBITTORRENT_LOGIN_COOLDOWN_MS: '0',
      CORE_SERVICE_URL: 'http://core:8000/',
      SERVICE_NAME: 'dl-1',
      SERVICE_HOST: 'dl-1.internal',
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'json',
      API_TOKEN: 'a-long-enough-token',
      SHUTDOWN_TIMEOUT_MS: '2000',
      RETRY_MAX_ATTEMPTS: '5',
      RETRY_BASE_DELAY_MS: '250',
      REGISTRATION_INITIAL_DELAY_MS: '10',
      REGISTRATION_MAX_DELAY_MS: '20',
      REGISTRATION_RECOVERY_INTERVAL_MS: '5000',
      QBITTORRENT_DRAIN: 'qbittorrent:8080',
      TORRENT_FETCH_ALLOW_PRIVATE: 'TRUE',
      TORRENT_FETCH_PROXY: 'http://proxy:3128',
      TORRENT_FETCH_TIMEOUT_MS: '2000',
      TORRENT_FETCH_MAX_BYTES: '65536',
      DEAD_TORRENT_AFTER_S: '60',
    });
    expect(config).toEqual({
      http: {
        port: 9000,
        bindAddress: '127.0.0.1',
        apiToken: 'a-long-enough-token',
        shutdownTimeoutMs: 2000,
      },
      qbittorrent: {
        instances: [
          {
            url: 'http://qbittorrent:8080',
            label: 'qbittorrent:8080',
            credentials: { username: 'bangumi', password: 'pw' },
            sharedCredentials: true,
            timeoutMs: 2500,
            loginCooldownMs: 0,
            draining: true,
          },
        ],
      },
      retry: { maxAttempts: 5, baseDelayMs: 250 },
      registration: {
        coreServiceUrl: 'http://core:8000',
        serviceName: 'dl-1',
        serviceHost: 'dl-1.internal',
        servicePort: 9000,
        initialDelayMs: 10,
        maxDelayMs: 20,
        recoveryIntervalMs: 5000,
      },
      torrentFetch: {
        allowPrivate: true,
        proxy: 'http://proxy:3128',
        timeoutMs: 2000,
        maxBytes: 65536,
      },
      status: { deadTorrentAfterS: 60 },
      logLevels: ['fatal', 'error', 'warn', 'log', 'debug'],
      logFormat: 'json',
    });
  });

  it('turns registration off for an empty CORE_SERVICE_URL', () => {
    expect(loadAppConfig({ CORE_SERVICE_URL: '' }).registration.coreServiceUrl).toBeNull();
  });

  it('reads SERVICE_PORT, as the core service names it, when PORT is not set', () => {
    const config = loadAppConfig({ SERVICE_PORT: '8123' });
    expect(config.http.port).toBe(8123);
    expect(config.registration.servicePort).toBe(8123);
    expect(loadAppConfig({ SERVICE_PORT: '8123', PORT: '9000' }).http.port).toBe(9000);
    expect(() => loadAppConfig({ SERVICE_PORT: 'x' })).toThrow(/SERVICE_PORT/);
  });

  it.each([
    ['', ''],
    ['admin', ''],
    ['', 'secret'],
  ])('starts without credentials when user=%j password=%j', (user, password) => {
    expect(
      loadAppConfig({ QBITTORRENT_USER: user, QBITTORRENT_PASSWORD: password }).qbittorrent
        .instances[0].credentials,
    ).toBeNull();
  });

  it('treats other empty variables as unset', () => {
    expect(loadAppConfig({ PORT: '', LOG_LEVEL: '' }).http.port).toBe(8002);
  });

  it('marks the instances QBITTORRENT_DRAIN names as draining', () => {
    const { instances } = loadAppConfig({
      QBITTORRENT_URL: 'http://qb-0:8080,https://User:pw@QB-1.example/,http://qb-2:8080',
      QBITTORRENT_DRAIN: ' qb-1.example:443 , qb-2:8080',
    }).qbittorrent;
    expect(instances.map(({ label, draining }) => [label, draining])).toEqual([
      ['qb-0:8080', false],
      ['qb-1.example:443', true],
      ['qb-2:8080', true],
    ]);
    expect(loadAppConfig({}).qbittorrent.instances[0].draining).toBe(false);
  });

  it('stops at start-up on a QBITTORRENT_DRAIN entry that names no instance, naming it', () => {
    const load = () =>
      loadAppConfig({
        QBITTORRENT_URL: 'http://user:secret@qb-0:8080,http://qb-1:8080',
        QBITTORRENT_DRAIN: 'qb-0:8080,qb-9:8080',
      });
    expect(load).toThrow(InvalidEnvironmentError);
    expect(load).toThrow(
      'QBITTORRENT_DRAIN names qb-9:8080, which is not one of QBITTORRENT_URL (as host:port: qb-0:8080, qb-1:8080)',
    );
    expect(load).not.toThrow(/secret/);
  });

  it('reads several qBittorrents, each with its own credentials or the shared ones', () => {
    const { instances } = loadAppConfig({
      QBITTORRENT_URL:
        ' http://qb-0.qbittorrent:8080 ,https://seed%40box:p%40ss%2Cword@seedbox.example/qbt/, http://[::1]:9090',
      QBITTORRENT_USER: 'bangumi',
      QBITTORRENT_PASSWORD: 'shared',
    }).qbittorrent;
    expect(
      instances.map(({ url, label, credentials, sharedCredentials }) => ({
        url,
        label,
        credentials,
        sharedCredentials,
      })),
    ).toEqual([
      {
        url: 'http://qb-0.qbittorrent:8080',
        label: 'qb-0.qbittorrent:8080',
        credentials: { username: 'bangumi', password: 'shared' },
        sharedCredentials: true,
      },
      {
        url: 'https://seedbox.example/qbt',
        label: 'seedbox.example:443',
        credentials: { username: 'seed@box', password: 'p@ss,word' },
        sharedCredentials: false,
      },
      {
        url: 'http://[::1]:9090',
        label: '[::1]:9090',
        credentials: { username: 'bangumi', password: 'shared' },
        sharedCredentials: true,
      },
    ]);
  });

  it.each([
    [
      'an entry that is no URL',
      'http://a:8080,not a url',
      /QBITTORRENT_URL entry 2 is not an http\(s\) URL/,
    ],
    [
      'the same host and port twice',
      'http://a:8080,http://u:secret@a:8080/x',
      /QBITTORRENT_URL names a:8080 twice/,
    ],
    ['nothing but commas', ' , ', /QBITTORRENT_URL must be one or more http\(s\) URLs/],
  ])('refuses %s, without echoing it', (_case, value, message) => {
    expect(() => loadAppConfig({ QBITTORRENT_URL: value })).toThrow(message);
    expect(() => loadAppConfig({ QBITTORRENT_URL: value })).not.toThrow(/secret|not a url/);
  });

  it('accepts container host names with underscores', () => {
    expect(
      loadAppConfig({ QBITTORRENT_URL: 'http://bangumi_qbittorrent:8080' }).qbittorrent.instances[0]
        .url,
    ).toBe('http://bangumi_qbittorrent:8080');
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '80.5'],
    ['QBITTORRENT_URL', 'not a url'],
    ['QBITTORRENT_URL', 'ftp://qbittorrent:8080'],
    ['QBITTORRENT_TIMEOUT_MS', '10'],
    ['CORE_SERVICE_URL', 'core-service'],
    ['LOG_LEVEL', 'loud'],
    ['LOG_FORMAT', 'xml'],
    ['RETRY_MAX_ATTEMPTS', '0'],
    ['RETRY_BASE_DELAY_MS', '-1'],
    ['API_TOKEN', 'short'],
    ['TORRENT_FETCH_ALLOW_PRIVATE', 'maybe'],
    ['TORRENT_FETCH_PROXY', 'proxy:3128'],
    ['TORRENT_FETCH_MAX_BYTES', '10'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => loadAppConfig({ [name]: value })).toThrow(InvalidEnvironmentError);
    expect(() => loadAppConfig({ [name]: value })).toThrow(
      new RegExp(`^Invalid environment: ${name} `),
    );
  });

  it('lists every bad variable at once and never prints a value', () => {
    let error: unknown;
    try {
      loadAppConfig({
        PORT: '0',
        QBITTORRENT_URL: 'http//admin:hunter2@qb',
        QBITTORRENT_PASSWORD: 's3cret',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidEnvironmentError);
    const { message, problems } = error as InvalidEnvironmentError;
    expect(problems).toHaveLength(2);
    expect(message).toContain('PORT');
    expect(message).toContain('QBITTORRENT_URL');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('s3cret');
  });
});
