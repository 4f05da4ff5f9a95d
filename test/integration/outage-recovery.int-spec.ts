import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { type RunningQbittorrent, startQbittorrent } from '../../scripts/lib/qbittorrent.mjs';
import { FakeCoreService } from '../fakes/fake-core-service.js';
import { startApp, type TestApp } from '../support/app.js';
import { report } from '../support/faults.js';
import { hashOf, magnetOf } from '../support/links.js';
import { heldBy, onTwo, ready } from '../support/real-holdings.js';
import { versionsUnderTest } from '../support/real-qbittorrent.js';

/** As several-qbittorrents.int-spec.ts: mixed versions in test:compat's last run, else three of one. */
const versions =
  process.env.QBT_MIXED_VERSIONS?.split(',').map((version) => version.trim()) ??
  Array.from({ length: 3 }, () => versionsUnderTest()[0]);
const PASSWORD = 'outage-recovery';
const GiB = 1024 ** 3;

const links = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ url: magnetOf(from + i), link_id: from + i }));

async function until(condition: () => Promise<boolean> | boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('not in time');
    await sleep(50);
  }
}

/** The service and a fake core that acts as rust-bangumi's, against `qbittorrents`. */
async function serviceWithCore(
  qbittorrents: RunningQbittorrent[],
  env: Record<string, string> = {},
): Promise<{ sut: TestApp; core: FakeCoreService }> {
  const core = await FakeCoreService.start([201]);
  const sut = await startApp({
    QBITTORRENT_URL: qbittorrents.map((qbittorrent) => qbittorrent.url).join(','),
    QBITTORRENT_USER: 'admin',
    QBITTORRENT_PASSWORD: PASSWORD,
    CORE_SERVICE_URL: core.url,
    REGISTRATION_INITIAL_DELAY_MS: '50',
    REGISTRATION_MAX_DELAY_MS: '200',
    ...env,
  });
  core.downloader = await sut.app.getUrl();
  await ready(sut);
  await until(() => core.registrations.length === 1, 10_000);
  return { sut, core };
}

describe(`after an outage, the core's failed links come back (qBittorrent ${versionsUnderTest()[0]})`, () => {
  let qbittorrent: RunningQbittorrent;
  let sut: TestApp | undefined;
  let core: FakeCoreService | undefined;

  beforeAll(async () => {
    qbittorrent = await startQbittorrent({ version: versionsUnderTest()[0], password: PASSWORD });
  });

  afterAll(async () => {
    await sut?.close();
    await core?.stop();
    await qbittorrent.stop();
  });

  it('holds all 50 links sent while qBittorrent was killed, and the polled ones, soon after it is back', async () => {
    ({ sut, core } = await serviceWithCore([qbittorrent]));
    await core.dispatch(links(0x40000, 10));
    expect(core.linksIn('downloading')).toHaveLength(10);
    process.kill(qbittorrent.pid, 'SIGKILL');
    await qbittorrent.exited;
    await core.dispatch(links(0x40100, 50));
    await core.poll();
    expect(core.linksIn('failed')).toHaveLength(50);
    expect(core.linksIn('downloader_error')).toHaveLength(10);

    await qbittorrent.restart(); // resolves on its first answer
    const back = performance.now();
    await until(() => core!.registrations.length === 2, 10_000);
    const registeredMs = performance.now() - back;
    await core.resends[1];
    const acceptedMs = performance.now() - back;
    expect(core.linksIn('downloading')).toHaveLength(60);
    const held = await heldBy(qbittorrent);
    const wanted = [...links(0x40000, 10), ...links(0x40100, 50)];
    expect(wanted.filter(({ link_id }) => !held.has(hashOf(link_id)))).toEqual([]);
    expect(acceptedMs).toBeLessThan(10_000);
    report(
      'qBittorrent SIGKILLed; the core sent 50 links and polled 10, then it restarted',
      `registered again ${Math.round(registeredMs)} ms after its first answer; all 60 held and accepted ${Math.round(acceptedMs)} ms after it`,
    );
  }, 120_000);
});

describe(`after an outage, several real qBittorrents (${versions.join(', ')})`, () => {
  let qbittorrents: RunningQbittorrent[] = [];
  let sut: TestApp | undefined;
  let core: FakeCoreService | undefined;

  beforeAll(async () => {
    // Real room on tmpfs folders (see replicas-and-kills), the first's the largest.
    qbittorrents = await Promise.all(
      versions.map((version, i) =>
        startQbittorrent({
          version,
          password: PASSWORD,
          downloadFolderBytes: (i === 0 ? 100 : 50) * GiB,
        }),
      ),
    );
  });

  afterEach(async () => {
    await sut?.close();
    await core?.stop();
    sut = undefined;
    core = undefined;
  });

  afterAll(async () => {
    await Promise.all(qbittorrents.map((qbittorrent) => qbittorrent.stop()));
  });

  it('holds each of 600 links exactly once, and has it accepted, after an instance killed mid-batch is back', async () => {
    ({ sut, core } = await serviceWithCore(qbittorrents));
    const [dying] = qbittorrents; // the most room: it takes the adds until it dies
    const started = performance.now();
    const dispatched = core.dispatch(links(0x50000, 600));
    // In the middle of its share, whatever the speed of this machine (0.2 s in, often).
    while ((await heldBy(dying)).size < 60) await sleep(10);
    const killedAfterMs = performance.now() - started;
    process.kill(dying.pid, 'SIGKILL');
    await dying.exited;
    await dispatched;
    const failed = core.linksIn('failed').length;
    expect(failed).toBeGreaterThan(0); // else this proves nothing
    await sleep(Math.max(0, started + 5200 - performance.now()));
    await dying.restart();
    const back = performance.now();
    await until(() => core!.registrations.length >= 2, 30_000);
    const registeredMs = performance.now() - back;
    await Promise.all(core.resends);
    await until(async () => {
      if (core!.linksIn('downloading').length < 600) return false;
      const held = await Promise.all(qbittorrents.map((qbittorrent) => heldBy(qbittorrent)));
      return links(0x50000, 600).every(
        ({ link_id }) => held.filter((hashes) => hashes.has(hashOf(link_id))).length === 1,
      );
    }, 30_000);
    const settledMs = performance.now() - back;
    expect(await onTwo(qbittorrents)).toEqual([]);
    report(
      '600 links over three, one SIGKILLed mid-batch and restarted 5 s later',
      `killed ${Math.round(killedAfterMs)} ms in, ${failed} failed at first; registered again ${Math.round(registeredMs)} ms after its return; all 600 accepted and each held once ${Math.round(settledMs)} ms after it`,
    );
  }, 180_000);

  it('places nothing new on a draining instance, even the one with the most room, and still serves what it holds', async () => {
    const [draining] = qbittorrents;
    const label = new URL(draining.url).host;
    const cookie = await fetch(`${draining.url}/api/v2/auth/login`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'admin', password: PASSWORD }),
    }).then((response) => response.headers.getSetCookie()[0].split(';', 1)[0]);
    const held = hashOf(0x60000);
    await fetch(`${draining.url}/api/v2/torrents/add`, {
      method: 'POST',
      headers: { cookie },
      body: new URLSearchParams({ urls: magnetOf(0x60000), paused: 'true', stopped: 'true' }),
    });
    await until(async () => (await heldBy(draining)).has(held), 10_000);
    ({ sut, core } = await serviceWithCore(qbittorrents, { QBITTORRENT_DRAIN: label }));
    const http = () => request(sut!.app.getHttpServer());
    const instances = (await http().get('/health/ready')).body.details.qbittorrent.instances;
    expect(instances.map((one: { draining: boolean }) => one.draining)).toEqual([
      true,
      false,
      false,
    ]);

    await core.dispatch(links(0x60100, 30));
    expect(core.linksIn('downloading')).toHaveLength(30);
    const onDraining = await heldBy(draining);
    expect(links(0x60100, 30).filter(({ link_id }) => onDraining.has(hashOf(link_id)))).toEqual([]);

    await core.dispatch([{ url: magnetOf(0x60000), link_id: 0x60000 }]);
    expect(core.links.get(0x60000)).toMatchObject({ status: 'downloading', hash: held });
    expect(await onTwo(qbittorrents)).toEqual([]);
    const polled = await http().get(`/downloads?hashes=${held}`);
    expect(polled.body.statuses[0]).toMatchObject({ hash: held });
    expect(polled.body.statuses[0].status).not.toBe('not_found');
    expect((await http().post(`/downloads/${held}/resume`)).status).toBe(200);
    expect((await http().delete(`/downloads/${held}`)).status).toBe(200);
    expect((await heldBy(draining)).has(held)).toBe(false);
    report(
      `QBITTORRENT_DRAIN=${label} (the most room)`,
      '30 new links placed on the other two; a re-add of one it held answered from it; polled, resumed, deleted there',
    );
  }, 120_000);
});
