import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { FakeQbittorrent } from '../../../test/fakes/fake-qbittorrent.js';
import type { QbittorrentInstance } from '../instance/qbittorrent-instance.js';
import { newQbittorrentInstance } from '../testing/qbittorrent-instance.builder.js';
import { InstanceMonitor } from './instance-monitor.js';
import { InstanceView } from './instance-view.js';
import { PoolMember } from './pool-member.js';
import { instanceName } from './pool-mode.js';

const GiB = 1024 ** 3;
const TIMING = { minSyncMs: 30, budget: 0.25, probeBaseMs: 20, probeMaxMs: 80 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('not in time');
    await sleep(5);
  }
}

describe(InstanceMonitor.name, () => {
  let qbittorrent: FakeQbittorrent;
  let instance: QbittorrentInstance;
  let view: InstanceView;
  let member: PoolMember;
  let logger: Logger;
  let lines: string[];
  let sut: InstanceMonitor;

  beforeEach(async () => {
    qbittorrent = await FakeQbittorrent.start({ dialect: '5.3.0' });
    qbittorrent.freeSpace = 42 * GiB;
    instance = newQbittorrentInstance(qbittorrent.url, { timeoutMs: 300 });
    lines = [];
    logger = new Logger('test');
    jest.spyOn(logger, 'log').mockImplementation((line) => void lines.push(String(line)));
    jest.spyOn(logger, 'warn').mockImplementation((line) => void lines.push(String(line)));
    view = new InstanceView();
    member = new PoolMember(instance, instanceName(instance.label), view);
    sut = new InstanceMonitor(member, view, logger, () => undefined, false, TIMING);
  });

  afterEach(async () => {
    sut.stop();
    instance.close();
    await qbittorrent.stop().catch(() => undefined);
  });

  it('reads the maindata at once, then deltas since the last read', async () => {
    sut.start();
    await until(() => qbittorrent.callsTo('sync/maindata').length >= 3);
    const rids = qbittorrent.callsTo('sync/maindata').map((call) => Number(call.query.get('rid')));
    expect(rids[0]).toBe(0);
    expect(rids[1]).toBeGreaterThan(0);
    expect(rids[2]).toBeGreaterThan(rids[1]);
    expect(view.freeSpaceOnDisk).toBe(42 * GiB);
  });

  it('spaces its reads by what they cost qBittorrent', async () => {
    qbittorrent.inject('sync/maindata', { kind: 'delay', ms: 60 }, 10);
    sut.start();
    await until(() => qbittorrent.callsTo('sync/maindata').length >= 2);
    const started = Date.now();
    await until(() => qbittorrent.callsTo('sync/maindata').length >= 3);
    // A read of 60 ms or more, at 25% of qBittorrent's time: 240 ms or more before the next.
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });

  it('does not count a login in what a read costs', async () => {
    sut = new InstanceMonitor(member, view, logger, () => undefined, false, {
      ...TIMING,
      budget: 0.01,
    });
    qbittorrent.inject('auth/login', { kind: 'delay', ms: 100 });
    sut.start();
    // A read that counted the login's 100 ms would wait 10 s before the next.
    await until(() => qbittorrent.callsTo('sync/maindata').length >= 2);
  });

  it('reads again soon after a full read that found free space not yet checked', async () => {
    sut = new InstanceMonitor(member, view, logger, () => undefined, false, {
      ...TIMING,
      budget: 0.01,
    });
    qbittorrent.freeSpace = 0;
    qbittorrent.inject('sync/maindata', { kind: 'delay', ms: 100 });
    sut.start();
    await until(() => view.syncedAt !== null);
    expect(view.freeSpaceOnDisk).toBeNull();
    qbittorrent.freeSpace = 42 * GiB;
    // The budget alone would wait 10 s after a read of 100 ms.
    await until(() => view.freeSpaceOnDisk === 42 * GiB);
  });

  it('marks a qBittorrent that stops answering down, probes it with backoff, and reads everything once it is back', async () => {
    sut.start();
    await until(() => qbittorrent.callsTo('sync/maindata').length >= 1);
    const { port } = qbittorrent;
    await qbittorrent.stop();
    await until(() => member.health.isDown);
    expect(lines.some((line) => /is down \(.*ECONNREFUSED\).*looking again/.test(line))).toBe(true);
    await sleep(150); // probes at about 20, 40, 80 ms: nothing to answer them
    qbittorrent = await FakeQbittorrent.start({ dialect: '5.3.0', port });
    await until(() => !member.health.isDown);
    await until(() => qbittorrent.callsTo('sync/maindata').length >= 1);
    expect(qbittorrent.callsTo('sync/maindata')[0].query.get('rid')).toBe('0');
    expect(lines).toContain(`qBittorrent at ${instance.label} is back`);
  });

  it('says an instance is back once, after it has read in full what the instance holds again', async () => {
    const backWith: number[] = [];
    sut = new InstanceMonitor(
      member,
      view,
      logger,
      () => void backWith.push(view.size),
      false,
      TIMING,
    );
    sut.start();
    await until(() => qbittorrent.callsTo('sync/maindata').length >= 2);
    expect(backWith).toEqual([]); // the first read is no comeback
    const { port } = qbittorrent;
    await qbittorrent.stop();
    await until(() => member.health.isDown);
    qbittorrent = await FakeQbittorrent.start({ dialect: '5.3.0', port });
    qbittorrent.holdForeign('a'.repeat(40));
    await until(() => qbittorrent.callsTo('sync/maindata').length >= 3);
    expect(backWith).toEqual([1]);
  });

  it('with one qBittorrent, reads nothing while it answers until told to keep a view, then reads it', async () => {
    const alone = new PoolMember(instance, 'qBittorrent', null);
    sut.stop();
    sut = new InstanceMonitor(alone, null, logger, () => undefined, true, TIMING);
    sut.start();
    await alone.call((client) => client.getVersion());
    await sleep(100);
    expect(qbittorrent.callsTo('sync/maindata')).toHaveLength(0);
    const kept = new InstanceView();
    alone.keepInView(kept);
    sut.watch(kept);
    await until(() => kept.syncedAt !== null);
    expect(kept.freeSpaceOnDisk).toBe(42 * GiB);
  });
});
