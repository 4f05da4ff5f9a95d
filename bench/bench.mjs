#!/usr/bin/env node
// `npm run bench`: what the service costs over calling qBittorrent directly, side by side in one
// run, everything on 127.0.0.1, every load bounded in requests. References: qBittorrent itself, a
// minimal NestJS app that forwards adds without confirming them, and one that confirms them the
// simplest correct way (bench/minimal-nest.mjs). Then a season archive in qBittorrent (5,000
// torrents, 1,200 with metadata) driven the way the rust-bangumi core drives it. Prints tables and
// writes bench/results.json. The goals are read here, not asserted by tests.
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import { freePort } from '../scripts/lib/ports.mjs';
import { startQbittorrent } from '../scripts/lib/qbittorrent.mjs';
import { serviceArgs } from '../scripts/lib/service-command.mjs';
import {
  ADDS,
  addVia,
  callsBetween,
  counted,
  cpuMsOf,
  cpuShare,
  directApi,
  directApiOf,
  hex,
  load,
  loadArchive,
  memoryOf,
  merged,
  root,
  serviceCalls,
  serviceEnv,
  serviceSyncs,
  settled,
  start,
  stop,
  timed,
  waitForOk,
} from './harness.mjs';

/**
 * @typedef {import('./harness.mjs').LoadFigures} LoadFigures
 * @typedef {import('./harness.mjs').AddFigures} AddFigures
 * @typedef {import('./harness.mjs').CountedFigures} CountedFigures
 */

const HEALTH_REQUESTS = 30_000;
const ARCHIVE = { torrents: 5000, withMetadata: 1200, batch: 1000 };
const GOALS = {
  p50RatioAt1: 1.2, // service / confirming minimal app
  p99OverP50At1: 3,
  rpsRatioAt32: 0.9, // service / minimal app without confirmation
  callsPerAddAt32: 1.2,
  pollRatio: 0.5, // repeated poll of the 1,200, service / direct
  listAllMs: 1000,
  listAllRatio: 1.3, // repeated GET /downloads of all, service / qBittorrent's own torrents/info
  severalPollRatio: 0.5, // repeated poll of 1,200 over three qBittorrents, service / direct
  idleCostPercent: 2, // CPU the background reads cost each qBittorrent at idle, % of one core
  idleRssOverMinimalMb: 10,
  loadedRssMb: 180,
  healthRatio: 0.5,
  startupMs: 1500,
};

/**
 * Three qBittorrents (the machine's 4.5.2, the first being `first`) behind one service: adds at 32
 * clients, a season archive spread over the three (5,000 torrents each, 1,200 with metadata in
 * all) polled and listed, and what keeping their room and ownership current costs each at idle.
 * @param {import('../scripts/lib/qbittorrent.mjs').RunningQbittorrent} first
 * @param {ReturnType<typeof directApi>} firstApi
 * @param {import('node:child_process').ChildProcess[]} children
 */
async function severalInstances(first, firstApi, children) {
  const others = [];
  try {
    for (let i = 0; i < 2; i++) {
      others.push(await startQbittorrent({ version: '4.5.2', password: first.password }));
    }
    const trio = [first, ...others];
    const apis = [firstApi, ...(await Promise.all(others.map(directApiOf)))];
    const cpuOfAll = () => trio.reduce((sum, q) => sum + cpuMsOf(q.pid), 0);
    const startService = async () => {
      const port = await freePort();
      const child = start(
        process.execPath,
        serviceArgs(),
        serviceEnv(
          port,
          trio.map((q) => q.url),
          first,
        ),
      );
      children.push(child);
      const url = `http://127.0.0.1:${port}`;
      await waitForOk(`${url}/health/ready`);
      return { child, url, pid: /** @type {number} */ (child.pid) };
    };

    // Adds at 32 clients, from three empty qBittorrents.
    for (const api of apis) await api.clear();
    let service = await startService();
    const callsBefore = callsBetween({}, await serviceCalls(service.url));
    const qbtBefore = cpuOfAll();
    const serverBefore = cpuMsOf(service.pid);
    const adds = await addVia(service.url, 32);
    const perAdd = (/** @type {number} */ ms) => (ms * 1000) / adds.requests;
    const addFigures = {
      ...adds,
      callsPerAdd:
        (callsBetween({}, await serviceCalls(service.url)) - callsBefore) / adds.requests,
      qbittorrentCpuUs: perAdd(cpuOfAll() - qbtBefore),
      serverCpuUs: perAdd(cpuMsOf(service.pid) - serverBefore),
      spread: await Promise.all(apis.map(async (api) => (await api.info()).length)),
    };
    await stop(service.child);

    // The archive, spread: each qBittorrent holds 5,000 torrents, 400 of them with metadata.
    for (const api of apis) await api.clear();
    const actives = await Promise.all(
      apis.map((api) => loadArchive(api, ARCHIVE.torrents, ARCHIVE.withMetadata / 3)),
    );
    const active = actives.flat();
    service = await startService();
    // The same work done directly: each qBittorrent asked for every hash (the core does not know
    // which holds what), 1000 a call, and the files of each torrent it holds, 8 at a time.
    const pollDirectly = async () => {
      await Promise.all(
        apis.map(async (api, i) => {
          for (let j = 0; j < active.length; j += 1000) await api.info(active.slice(j, j + 1000));
          const limit = pLimit(8);
          await Promise.all(
            actives[i].map((hash) =>
              limit(async () => (await api.call(`torrents/files?hash=${hash}`)).text()),
            ),
          );
        }),
      );
    };
    const directPolls = [await timed(pollDirectly), await timed(pollDirectly)];
    const poll = () =>
      counted(service.url, () => fetch(`${service.url}/downloads?hashes=${active.join(',')}`));
    const servicePolls = [await poll(), await poll()];
    const listAll = () => counted(service.url, () => fetch(`${service.url}/downloads`));
    const serviceLists = [await listAll(), await listAll()];
    const loaded = memoryOf(service.pid);

    // What the background reads cost each qBittorrent: its CPU over one whole interval between
    // two of them, once it has settled, less its own idle share over as long, measured after.
    await Promise.all(trio.map((q) => settled(q.pid)));
    const attached = await Promise.all(
      trio.map(async (q) => {
        const label = `127.0.0.1:${q.webuiPort}`;
        const syncs = async () => (await serviceSyncs(service.url))[label] ?? 0;
        const next = async (/** @type {number} */ after) => {
          for (let k = 0; k < 2400 && (await syncs()) <= after; k++) await sleep(100);
          return { at: performance.now(), cpu: cpuMsOf(q.pid), count: await syncs() };
        };
        const from = await next(await syncs());
        const to = await next(from.count);
        return {
          label,
          ms: to.at - from.at,
          percent: ((to.cpu - from.cpu) / (to.at - from.at)) * 100,
        };
      }),
    );
    await stop(service.child);
    await Promise.all(trio.map((q) => settled(q.pid)));
    const alone = await Promise.all(trio.map((q, i) => cpuShare(q.pid, attached[i].ms)));
    const idleCost = attached.map(({ label, ms, percent }, i) => ({
      label,
      intervalS: ms / 1000,
      percentOfCore: percent - alone[i],
      idlePercent: alone[i],
    }));
    for (const api of apis) await api.clear();
    return {
      adds: addFigures,
      directPollMs: directPolls,
      servicePolls,
      serviceLists,
      loadedRssMb: loaded.rssMb,
      idleCost,
    };
  } finally {
    for (const q of others) await q.stop();
  }
}

async function main() {
  const qbittorrent = await startQbittorrent({ version: '4.5.2' });
  /** @type {import('node:child_process').ChildProcess[]} */
  const children = [];
  try {
    const login = await fetch(`${qbittorrent.url}/api/v2/auth/login`, {
      method: 'POST',
      body: new URLSearchParams({ username: qbittorrent.username, password: qbittorrent.password }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    const qbt = directApi(qbittorrent.url, cookie, qbittorrent.pid);
    const qbtVersion = await (await qbt.call('app/version')).text();

    // The service, as `npm start` and the image run it (default LOG_LEVEL=info, output discarded).
    const servicePort = await freePort();
    const startedAt = performance.now();
    // BENCH_PROFILE=1 writes a CPU profile of the service to bench/profiles (see README).
    const profile =
      process.env.BENCH_PROFILE === '1' ? ['--cpu-prof', '--cpu-prof-dir=bench/profiles'] : [];
    const service = start(
      process.execPath,
      [...profile, ...serviceArgs()],
      serviceEnv(servicePort, [qbittorrent.url], qbittorrent),
    );
    children.push(service);
    const serviceUrl = `http://127.0.0.1:${servicePort}`;
    await waitForOk(`${serviceUrl}/health`);
    const startupMs = performance.now() - startedAt;

    /** @type {Record<string, string>} */
    const minimal = {};
    /** @type {Record<string, number>} */
    const minimalPids = {};
    for (const [name, confirm] of [
      ['plain', '0'],
      ['confirming', '1'],
    ]) {
      const port = await freePort();
      const child = start(process.execPath, [
        'bench/minimal-nest.mjs',
        String(port),
        qbittorrent.url,
        cookie,
        confirm,
      ]);
      children.push(child);
      minimal[name] = `http://127.0.0.1:${port}`;
      minimalPids[name] = /** @type {number} */ (child.pid);
    }
    for (const url of Object.values(minimal)) {
      for (let i = 0; i < 400; i++) {
        if (
          await fetch(`${url}/calls`).then(
            (r) => r.ok,
            () => false,
          )
        )
          break;
        await sleep(25);
      }
    }
    await waitForOk(`${serviceUrl}/health/ready`);
    await sleep(2000);
    const idle = memoryOf(/** @type {number} */ (service.pid));
    const idleMinimal = memoryOf(minimalPids.plain);

    // 1. Adds: qBittorrent directly, the two minimal apps, the service; 1 and 32 clients.
    const addDirect = (/** @type {number} */ connections) =>
      load({
        url: `${qbittorrent.url}/api/v2/torrents/add`,
        connections,
        amount: ADDS[/** @type {1 | 32} */ (connections)],
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        requests: [
          {
            setupRequest: (request) => ({
              ...request,
              body: new URLSearchParams({ urls: `magnet:?xt=urn:btih:${hex()}` }).toString(),
            }),
          },
        ],
      });
    const minimalCalls = async (/** @type {string} */ url) =>
      /** @type {{ calls: number }} */ (await (await fetch(`${url}/calls`)).json()).calls;
    /**
     * One load from an empty qBittorrent that has finished its previous work, with the CPU time
     * qBittorrent and the serving process (if any) spent per add.
     * @param {() => Promise<LoadFigures>} run @param {number | undefined} serverPid
     * @returns {Promise<AddFigures>}
     */
    const addRun = async (run, serverPid) => {
      await qbt.clear();
      const qbtBefore = cpuMsOf(qbittorrent.pid);
      const serverBefore = serverPid === undefined ? 0 : cpuMsOf(serverPid);
      const figures = await run();
      const perAdd = (/** @type {number} */ ms) => (ms * 1000) / figures.requests;
      return {
        ...figures,
        qbittorrentCpuUs: perAdd(cpuMsOf(qbittorrent.pid) - qbtBefore),
        serverCpuUs: serverPid === undefined ? 0 : perAdd(cpuMsOf(serverPid) - serverBefore),
      };
    };
    /**
     * An add run through an app that counts its calls to qBittorrent, with calls per add.
     * @param {string} url @param {number} pid @param {() => Promise<number>} callsSoFar
     * @param {number} connections @returns {Promise<CountedFigures>}
     */
    const countedRun = async (url, pid, callsSoFar, connections) => {
      const before = await callsSoFar();
      const figures = await addRun(() => addVia(url, connections), pid);
      return { ...figures, callsPerAdd: ((await callsSoFar()) - before) / figures.requests };
    };
    const confirmingRun = (/** @type {number} */ connections) =>
      countedRun(
        minimal.confirming,
        minimalPids.confirming,
        () => minimalCalls(minimal.confirming),
        connections,
      );
    const serviceRun = (/** @type {number} */ connections) =>
      countedRun(
        serviceUrl,
        /** @type {number} */ (service.pid),
        async () => callsBetween({}, await serviceCalls(serviceUrl)),
        connections,
      );
    /** @type {Record<string, any>} */
    const add = {};
    // One run of each app first, not counted: a process's first adds run while V8 compiles it.
    for (const url of [minimal.plain, minimal.confirming, serviceUrl]) {
      await addRun(() => addVia(url, 1), undefined);
    }
    for (const connections of [1, 32]) {
      await addRun(() => addDirect(connections), undefined); // warm-up of qBittorrent, not counted
      const direct = await addRun(() => addDirect(connections), undefined);
      const plain = await addRun(() => addVia(minimal.plain, connections), minimalPids.plain);
      // The two confirming ones twice, in the order A B B A, their runs taken together: one
      // client's latency is a few milliseconds, and which of two runs goes first shifts it.
      const confirming1 = await confirmingRun(connections);
      const served1 = await serviceRun(connections);
      const served2 = await serviceRun(connections);
      const confirming2 = await confirmingRun(connections);
      add[`c${connections}`] = {
        direct,
        plain,
        confirming: merged(confirming1, confirming2),
        service: merged(served1, served2),
      };
    }
    const peakAfterAdds = memoryOf(/** @type {number} */ (service.pid));
    await qbt.clear();

    // 2. A season archive: 5,000 torrents, 1,200 of them with metadata (uploaded .torrent files).
    const active = await loadArchive(qbt, ARCHIVE.torrents, ARCHIVE.withMetadata);

    // The poll as the core would do it directly: one info call per 1000, files 8 at a time.
    const pollDirectly = async () => {
      for (let i = 0; i < active.length; i += 1000) await qbt.info(active.slice(i, i + 1000));
      const limit = pLimit(8);
      await Promise.all(
        active.map((hash) =>
          limit(async () => (await qbt.call(`torrents/files?hash=${hash}`)).text()),
        ),
      );
    };
    const directCallsBefore = qbt.calls;
    const directPolls = [await timed(pollDirectly), await timed(pollDirectly)];
    const directPollCalls = (qbt.calls - directCallsBefore) / 2;

    /** @param {() => Promise<Response>} request */
    const throughService = (request) => counted(serviceUrl, request);
    const poll = () =>
      throughService(() => fetch(`${serviceUrl}/downloads?hashes=${active.join(',')}`));
    const listAll = () => throughService(() => fetch(`${serviceUrl}/downloads`));
    const servicePolls = [await poll(), await poll()];
    // As a plain client reads it (no gzip, as the service asks): fetch() would ask for gzip.
    const directLists = [await timed(() => qbt.listAll()), await timed(() => qbt.listAll())];
    const serviceLists = [await listAll(), await listAll()];
    const batch = await throughService(() =>
      fetch(`${serviceUrl}/downloads`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          items: Array.from({ length: ARCHIVE.batch }, () => ({
            url: `magnet:?xt=urn:btih:${hex()}`,
          })),
        }),
      }),
    );
    const loaded = memoryOf(/** @type {number} */ (service.pid));
    // The memory release waits for 30 s without requests, and looks every 5 s.
    await sleep(40_000);
    const settled = memoryOf(/** @type {number} */ (service.pid));
    await qbt.clear();

    // 3. Three qBittorrents behind one service (the first is the one above).
    const several = await severalInstances(qbittorrent, qbt, children);

    // 4. Liveness against a bare node:http server in its own process.
    const barePort = await freePort();
    const bare = start(process.execPath, [
      '-e',
      `require('http').createServer((q, s) => s.end('OK')).listen(${barePort}, '127.0.0.1')`,
    ]);
    children.push(bare);
    await waitForOk(`http://127.0.0.1:${barePort}/`);
    const healthBare = await load({
      url: `http://127.0.0.1:${barePort}/`,
      connections: 32,
      amount: HEALTH_REQUESTS,
    });
    const healthService = await load({
      url: `${serviceUrl}/health`,
      connections: 32,
      amount: HEALTH_REQUESTS,
    });

    const results = {
      machine: {
        cores: cpus().length,
        cpu: cpus()[0]?.model ?? 'unknown',
        memoryGb: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        qbittorrent: qbtVersion,
      },
      add,
      archive: {
        directPollMs: directPolls,
        directPollCalls,
        servicePolls,
        directListMs: directLists,
        serviceLists,
        batch,
      },
      health: {
        bare: healthBare,
        service: healthService,
        rpsRatio: healthService.rps / healthBare.rps,
      },
      several,
      footprint: {
        startupMs,
        idleRssMb: idle.rssMb,
        minimalIdleRssMb: idleMinimal.rssMb,
        peakAfterAddsMb: peakAfterAdds.peakMb,
        loadedRssMb: loaded.rssMb,
        loadedPeakMb: loaded.peakMb,
        settledRssMb: settled.rssMb,
      },
    };
    writeFileSync(
      join(root, 'bench', 'results.json'),
      `${JSON.stringify(results, (key, value) => (key === 'latencies' ? undefined : value), 2)}\n`,
    );
    print(results);
  } finally {
    for (const child of children) await stop(child);
    await qbittorrent.stop();
  }
}

/** @param {any} r */
function print(r) {
  const ms = (/** @type {number} */ v) => `${v.toFixed(2)} ms`;
  const rps = (/** @type {number} */ v) => `${Math.round(v)}/s`;
  const mb = (/** @type {number} */ v) => `${v.toFixed(0)} MB`;
  const goal = (/** @type {boolean} */ ok, /** @type {string} */ text) =>
    `${text}: ${ok ? 'met' : 'MISSED'}`;
  const lines = [];
  lines.push(
    `machine: ${r.machine.cores} cores (${r.machine.cpu}), ${r.machine.memoryGb} GiB, Node ${r.machine.node}, qBittorrent ${r.machine.qbittorrent}`,
  );
  lines.push('');
  lines.push(
    '| POST /download | qBittorrent directly | minimal NestJS, no confirmation | minimal NestJS, confirming | service | goal |',
  );
  lines.push('|---|---|---|---|---|---|');
  const c1 = r.add.c1;
  const c32 = r.add.c32;
  lines.push(
    `| 1 client, p50 | ${ms(c1.direct.p50)} | ${ms(c1.plain.p50)} | ${ms(c1.confirming.p50)} | ${ms(c1.service.p50)} (${(c1.service.p50 / c1.confirming.p50).toFixed(2)}x confirming) | ${goal(c1.service.p50 <= GOALS.p50RatioAt1 * c1.confirming.p50, `<= ${GOALS.p50RatioAt1}x confirming`)} |`,
  );
  lines.push(
    `| 1 client, p99 | ${ms(c1.direct.p99)} | ${ms(c1.plain.p99)} | ${ms(c1.confirming.p99)} | ${ms(c1.service.p99)} (${(c1.service.p99 / c1.service.p50).toFixed(1)}x its p50) | ${goal(c1.service.p99 <= GOALS.p99OverP50At1 * c1.service.p50, `<= ${GOALS.p99OverP50At1}x p50`)} |`,
  );
  lines.push(
    `| 32 clients, throughput | ${rps(c32.direct.rps)} | ${rps(c32.plain.rps)} | ${rps(c32.confirming.rps)} | ${rps(c32.service.rps)} (${(c32.service.rps / c32.plain.rps).toFixed(2)}x no confirmation) | ${goal(c32.service.rps >= GOALS.rpsRatioAt32 * c32.plain.rps, `>= ${GOALS.rpsRatioAt32}x no confirmation`)} |`,
  );
  lines.push(
    `| 32 clients, p50 / p99 | ${ms(c32.direct.p50)} / ${ms(c32.direct.p99)} | ${ms(c32.plain.p50)} / ${ms(c32.plain.p99)} | ${ms(c32.confirming.p50)} / ${ms(c32.confirming.p99)} | ${ms(c32.service.p50)} / ${ms(c32.service.p99)} | |`,
  );
  lines.push(
    `| qBittorrent calls per add, 1 / 32 clients | 1 / 1 | 1 / 1 | ${c1.confirming.callsPerAdd.toFixed(2)} / ${c32.confirming.callsPerAdd.toFixed(2)} | ${c1.service.callsPerAdd.toFixed(2)} / ${c32.service.callsPerAdd.toFixed(2)} | ${goal(c32.service.callsPerAdd <= GOALS.callsPerAddAt32, `<= ${GOALS.callsPerAddAt32} at 32`)} |`,
  );
  const us = (/** @type {number} */ v) => `${Math.round(v)} µs`;
  lines.push(
    `| CPU per add at 32 clients: qBittorrent | ${us(c32.direct.qbittorrentCpuUs)} | ${us(c32.plain.qbittorrentCpuUs)} | ${us(c32.confirming.qbittorrentCpuUs)} | ${us(c32.service.qbittorrentCpuUs)} | |`,
  );
  lines.push(
    `| CPU per add at 32 clients: the app | | ${us(c32.plain.serverCpuUs)} | ${us(c32.confirming.serverCpuUs)} | ${us(c32.service.serverCpuUs)} | |`,
  );
  const failures = Object.values(r.add).flatMap((runs) =>
    Object.values(/** @type {Record<string, LoadFigures>} */ (runs)).map(
      (f) => f.non2xx + f.errors,
    ),
  );
  lines.push(
    `| non-2xx or errors, all runs | | | | ${failures.reduce((a, b) => a + b, 0)} | ${goal(
      failures.every((n) => n === 0),
      '0',
    )} |`,
  );
  lines.push('');
  const a = r.archive;
  lines.push(
    `| season archive (${ARCHIVE.torrents} torrents, ${ARCHIVE.withMetadata} with metadata) | the same work directly on qBittorrent | service | qBittorrent calls (service) | goal |`,
  );
  lines.push('|---|---|---|---|---|');
  lines.push(
    `| poll of the ${ARCHIVE.withMetadata} active hashes, first | ${ms(a.directPollMs[0])} (${a.directPollCalls} calls) | ${ms(a.servicePolls[0].ms)} | ${a.servicePolls[0].calls} | |`,
  );
  lines.push(
    `| the same poll, repeated | ${ms(a.directPollMs[1])} (${a.directPollCalls} calls) | ${ms(a.servicePolls[1].ms)} (${(a.servicePolls[1].ms / a.directPollMs[1]).toFixed(2)}x) | ${a.servicePolls[1].calls} | ${goal(a.servicePolls[1].ms <= GOALS.pollRatio * a.directPollMs[1], `<= ${GOALS.pollRatio}x direct`)} |`,
  );
  lines.push(
    `| GET /downloads, all ${ARCHIVE.torrents}, first / repeated | torrents/info of all: ${ms(a.directListMs[0])} / ${ms(a.directListMs[1])} | ${ms(a.serviceLists[0].ms)} / ${ms(a.serviceLists[1].ms)} (${(a.serviceLists[1].ms / a.directListMs[1]).toFixed(2)}x) | ${a.serviceLists[0].calls} / ${a.serviceLists[1].calls} | ${goal(a.serviceLists[1].ms < GOALS.listAllMs && a.serviceLists[1].ms <= GOALS.listAllRatio * a.directListMs[1], `< ${GOALS.listAllMs} ms and <= ${GOALS.listAllRatio}x torrents/info`)} |`,
  );
  lines.push(
    `| POST /downloads, ${ARCHIVE.batch} magnets | | ${ms(a.batch.ms)} (HTTP ${a.batch.status}) | ${a.batch.calls} | |`,
  );
  lines.push('');
  const s = r.several;
  lines.push(
    `| three qBittorrents behind one service (three ${r.machine.qbittorrent}) | service | one qBittorrent (above) | goal |`,
  );
  lines.push('|---|---|---|---|');
  lines.push(`| adds at 32 clients: throughput | ${rps(s.adds.rps)} | ${rps(c32.service.rps)} | |`);
  lines.push(
    `| adds at 32 clients: qBittorrent calls per add | ${s.adds.callsPerAdd.toFixed(2)} | ${c32.service.callsPerAdd.toFixed(2)} | |`,
  );
  lines.push(
    `| adds at 32 clients: CPU per add, the qBittorrents / the service | ${us(s.adds.qbittorrentCpuUs)} / ${us(s.adds.serverCpuUs)} | ${us(c32.service.qbittorrentCpuUs)} / ${us(c32.service.serverCpuUs)} | |`,
  );
  lines.push(`| adds at 32 clients: where they went | ${s.adds.spread.join(' / ')} | | |`);
  lines.push(
    `| poll of the ${ARCHIVE.withMetadata} active hashes spread over three, first / repeated | ${ms(s.servicePolls[0].ms)} / ${ms(s.servicePolls[1].ms)} (${(s.servicePolls[1].ms / s.directPollMs[1]).toFixed(2)}x direct: ${ms(s.directPollMs[1])}), ${s.servicePolls[1].calls} calls | | ${goal(s.servicePolls[1].ms <= GOALS.severalPollRatio * s.directPollMs[1], `<= ${GOALS.severalPollRatio}x direct`)} |`,
  );
  lines.push(
    `| GET /downloads, all ${3 * ARCHIVE.torrents}, first / repeated | ${ms(s.serviceLists[0].ms)} / ${ms(s.serviceLists[1].ms)}, ${s.serviceLists[1].calls} calls | | |`,
  );
  lines.push(`| resident memory after the listings | ${mb(s.loadedRssMb)} | | |`);
  for (const cost of s.idleCost) {
    lines.push(
      `| idle, ${ARCHIVE.torrents} torrents: what keeping room and ownership current costs ${cost.label} | ${cost.percentOfCore.toFixed(2)}% of a core (one read every ${cost.intervalS.toFixed(0)} s; its own idle ${cost.idlePercent.toFixed(2)}%) | | ${goal(cost.percentOfCore <= GOALS.idleCostPercent, `<= ${GOALS.idleCostPercent}%`)} |`,
    );
  }
  lines.push('');
  const f = r.footprint;
  lines.push('| footprint | service | minimal NestJS | goal |');
  lines.push('|---|---|---|---|');
  lines.push(
    `| start to first 200 from /health | ${ms(f.startupMs)} | | ${goal(f.startupMs < GOALS.startupMs, `< ${GOALS.startupMs} ms`)} |`,
  );
  lines.push(
    `| resident memory, idle | ${mb(f.idleRssMb)} | ${mb(f.minimalIdleRssMb)} | ${goal(f.idleRssMb - f.minimalIdleRssMb <= GOALS.idleRssOverMinimalMb, `within ${GOALS.idleRssOverMinimalMb} MB`)} |`,
  );
  lines.push(`| peak, after the add runs | ${mb(f.peakAfterAddsMb)} | | |`);
  lines.push(
    `| after the archive listings and the batch: now / peak | ${mb(f.loadedRssMb)} / ${mb(f.loadedPeakMb)} | | ${goal(f.loadedRssMb <= GOALS.loadedRssMb, `<= ${GOALS.loadedRssMb} MB`)} |`,
  );
  lines.push(`| 40 s later | ${mb(f.settledRssMb)} | | near idle |`);
  lines.push('');
  lines.push('| GET /health, 32 clients | requests/s | p50 | p99 | goal |');
  lines.push('|---|---|---|---|---|');
  lines.push(
    `| bare node:http | ${rps(r.health.bare.rps)} | ${ms(r.health.bare.p50)} | ${ms(r.health.bare.p99)} | |`,
  );
  lines.push(
    `| service | ${rps(r.health.service.rps)} (${r.health.rpsRatio.toFixed(2)}x) | ${ms(r.health.service.p50)} | ${ms(r.health.service.p99)} | ${goal(r.health.rpsRatio >= GOALS.healthRatio, `>= ${GOALS.healthRatio}x`)} |`,
  );
  console.log(lines.join('\n'));
}

if (process.argv.slice(2).some((arg) => arg.startsWith('--base'))) {
  const { runAb } = await import('./ab.mjs');
  await runAb(process.argv.slice(2));
} else {
  await main();
}
