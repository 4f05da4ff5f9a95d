import { readFileSync } from 'node:fs';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { type RunningQbittorrent, startQbittorrent } from '../../scripts/lib/qbittorrent.mjs';
import type { TestApp } from '../support/app.js';
import { report } from '../support/faults.js';
import { hashOf } from '../support/links.js';
import { startAppFor, versionsUnderTest } from '../support/real-qbittorrent.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/tls/${name}`, import.meta.url), 'utf8');

/**
 * A seedbox's WebUI over HTTPS, as qBittorrent serves it (WebUI\HTTPS with a certificate of a
 * private CA): refused by name, once, until the CA is trusted (NODE_EXTRA_CA_CERTS in production;
 * the same default store, set in this process, here).
 */
describe.each(versionsUnderTest())('an HTTPS WebUI on real qBittorrent %s', (version) => {
  const defaultCas = getCACertificates('default');
  let qbittorrent: RunningQbittorrent;
  let sut: TestApp | undefined;

  beforeAll(async () => {
    qbittorrent = await startQbittorrent({
      version,
      https: { certificate: fixture('server.pem'), key: fixture('key.pem') },
    });
  });

  afterAll(async () => {
    setDefaultCACertificates(defaultCas);
    await sut?.close();
    await qbittorrent.stop();
  });

  it('names an untrusted certificate for what it is, in readiness and adds, without retrying', async () => {
    expect(qbittorrent.url).toMatch(/^https:/);
    sut = await startAppFor(qbittorrent, { RETRY_MAX_ATTEMPTS: '3' });
    const http = () => request(sut!.app.getHttpServer());
    const ready = await http().get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.error.qbittorrent.message).toMatch(
      /presented a certificate this service does not trust.*NODE_EXTRA_CA_CERTS.*\(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/,
    );
    const added = await http()
      .post('/download')
      .send({ link_id: 1, url: `magnet:?xt=urn:btih:${hashOf(1)}` });
    expect(added.status).toBe(500);
    expect(added.body.error).toMatch(/failed after 1 attempt \(not retried\): .*does not trust/);
    report('HTTPS WebUI, CA not trusted', `readiness 503 and the add 500 in 1 attempt`);
    await sut.close();
    sut = undefined;
  });

  it('works once its CA is trusted', async () => {
    setDefaultCACertificates([...defaultCas, fixture('ca.pem')]);
    sut = await startAppFor(qbittorrent);
    const http = () => request(sut!.app.getHttpServer());
    expect((await http().get('/health/ready')).status).toBe(200);
    const added = await http()
      .post('/download')
      .send({ link_id: 2, url: `magnet:?xt=urn:btih:${hashOf(2)}` });
    expect(added.body).toEqual({ status: 'accepted', hash: hashOf(2), error: null });
    report('HTTPS WebUI, CA trusted', 'readiness 200, the add accepted');
  });
});
