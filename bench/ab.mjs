// `npm run bench -- --base[=<ref>]`: the service at a base commit (by default the last landed main)
// beside this working tree, both against the same qBittorrents in one run, so that a change is
// measured against what it changes and not against figures of another day or machine. The base is
// checked out in a temporary git worktree and built there; it shares node_modules when its lockfile
// is the same. Runs alternate A B B A where order can shift a figure. Prints one table.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../scripts/lib/ports.mjs';
import { startQbittorrent } from '../scripts/lib/qbittorrent.mjs';
import { serviceArgs } from '../scripts/lib/service-command.mjs';
import {
  addVia,
  callsBetween,
  cpuMsOf,
  directApiOf,
  loadArchive,
  memoryOf,
  merged,
  root,
  serviceCalls,
  serviceEnv,
  start,
  stop,
  timed,
  waitForOk,
} from './harness.mjs';
import { scrapeCost, scrapeRows } from './scrape-cost.mjs';

const ARCHIVE = { torrents: 5000, withMetadata: 1200 };
const GOALS = {
  throughputAt32: 0.95,
  p50At1: 1.05,
  idleRssOverMb: 2,
  listRatio: 1.3,
  listRssMb: 180,
};

/** @param {string[]} args */
const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();

/**
 * The commit to measure against: `--base=<ref>`, else the last landed main (origin/main, or main
 * when this is another branch).
 * @param {string | undefined} asked
 */
function baseCommit(asked) {
  const head = git('rev-parse', 'HEAD');
  const candidates = asked !== undefined ? [asked] : ['origin/main', 'main'];
  for (const ref of candidates) {
    let sha;
    try {
      sha = git('rev-parse', '--verify', '--quiet', `${ref}^{commit}`);
    } catch {
      if (asked !== undefined) throw new Error(`bench: no commit named ${ref}`);
      continue;
    }
    if (asked !== undefined || sha !== head) return { ref, sha };
  }
  throw new Error('bench: HEAD is the last landed main itself; name the base: --base=<ref>');
}

/**
 * Checks the base out beside this tree and builds it; answers its folder and how to remove it.
 * @param {string} sha
 */
function buildBase(sha) {
  const dir = mkdtempSync(join(tmpdir(), `downloader-bench-base-${sha.slice(0, 8)}-`));
  git('worktree', 'add', '--detach', '--force', dir, sha);
  const remove = () => {
    try {
      git('worktree', 'remove', '--force', dir);
    } catch {
      rmSync(dir, { recursive: true, force: true });
      git('worktree', 'prune');
    }
  };
  try {
    const lock = (/** @type {string} */ folder) => readFileSync(join(folder, 'package-lock.json'));
    if (lock(dir).equals(lock(root))) {
      symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    } else {
      execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], {
        cwd: dir,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    }
    execFileSync(join(dir, 'node_modules', '.bin', 'nest'), ['build'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (!existsSync(join(dir, 'dist', 'main.js'))) throw new Error('bench: the base did not build');
  } catch (error) {
    remove();
    throw error;
  }
  return { dir, remove };
}

/**
 * One build of the service running against `urls`.
 * @param {{ name: string, dir: string }} build @param {string[]} urls
 * @param {{ username: string, password: string }} credentials
 * @param {import('node:child_process').ChildProcess[]} children
 */
async function startService(build, urls, credentials, children) {
  const port = await freePort();
  const child = start(
    process.execPath,
    serviceArgs(),
    serviceEnv(port, urls, credentials),
    build.dir,
  );
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise((_, reject) =>
    child.once('exit', (code) => reject(new Error(`${build.name} exited (${code}) at start`))),
  );
  await Promise.race([waitForOk(`${url}/health/ready`), exited]);
  return { ...build, child, url, pid: /** @type {number} */ (child.pid) };
}

/**
 * Adds through one service from empty qBittorrents, with the CPU per add and, when `count`, its
 * calls per add. They are counted from its /metrics, and a scrape turns monitoring on (one
 * qBittorrent kept in view from then on, issue 30): the timed runs of one qBittorrent count
 * nothing, so that both builds run as a service nobody scrapes; countedRuns counts afterwards.
 * @param {{ url: string, pid: number }} service @param {number} connections
 * @param {ReturnType<typeof import('./harness.mjs').directApi>[]} apis @param {boolean} count
 */
async function addRun(service, connections, apis, count) {
  for (const api of apis) await api.clear();
  const before = count ? callsBetween({}, await serviceCalls(service.url)) : 0;
  const cpuBefore = cpuMsOf(service.pid);
  const figures = await addVia(service.url, connections);
  const calls = count ? callsBetween({}, await serviceCalls(service.url)) - before : NaN;
  return {
    ...figures,
    callsPerAdd: calls / figures.requests,
    serverCpuUs: ((cpuMsOf(service.pid) - cpuBefore) * 1000) / figures.requests,
    qbittorrentCpuUs: 0,
  };
}

/** The median of some figures. @param {number[]} values */
const median = (values) => {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/**
 * A B B A, three times, of the same load, after a run of each not counted (the first runs of a
 * process are slower while V8 compiles it). Runs on this shared machine differ by 10-20% whatever
 * the build, and drift with qBittorrent's state, so the builds are compared run against run: each
 * run of B with the run of A beside it (A B, B A, ...), and the ratio is the median of those six
 * pairs. Each side's other figures are over all its runs; each run's throughput is kept, to show
 * the spread.
 * @param {[any, any]} services @param {number} connections @param {any[]} apis
 * @param {boolean} count whether each run counts the service's calls (through its /metrics)
 */
async function abba(services, connections, apis, count) {
  const [a, b] = services;
  for (const service of services) await addRun(service, connections, apis, count);
  const order = [0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0];
  /** @type {any[]} */
  const runs = [];
  for (const index of order) {
    runs.push(await addRun(index === 0 ? a : b, connections, apis, count));
  }
  /** @type {{ rps: number, p50: number }[]} */
  const pairs = [];
  for (let i = 0; i < runs.length; i += 2) {
    const [first, second] = [runs[i], runs[i + 1]];
    const [runA, runB] = order[i] === 0 ? [first, second] : [second, first];
    pairs.push({ rps: runB.rps / runA.rps, p50: runB.p50 / runA.p50 });
  }
  const sides = [0, 1].map((index) => {
    const side = runs.filter((_, i) => order[i] === index);
    return {
      ...side.reduce((all, run) => merged(all, run)),
      rps: median(side.map((run) => run.rps)),
      p50: median(side.map((run) => run.p50)),
      each: side.map((run) => Math.round(run.rps)),
    };
  });
  return Object.assign(sides, {
    ratio: {
      rps: median(pairs.map((pair) => pair.rps)),
      p50: median(pairs.map((pair) => pair.p50)),
    },
  });
}

/**
 * Resident memory at idle of each build: started three times each, alternately, read 2 s after it
 * is ready; the median.
 * @param {{ name: string, dir: string }[]} builds @param {string[]} urls
 * @param {{ username: string, password: string }} credentials
 * @param {import('node:child_process').ChildProcess[]} children
 */
async function idleMemory(builds, urls, credentials, children) {
  /** @type {number[][]} */
  const readings = builds.map(() => []);
  for (const order of [
    [0, 1],
    [1, 0],
    [0, 1],
  ]) {
    for (const index of order) {
      const service = await startService(builds[index], urls, credentials, children);
      await sleep(2000);
      readings[index].push(memoryOf(service.pid).rssMb);
      await stop(service.child);
    }
  }
  return readings.map(median);
}

/**
 * The unfiltered listing through a service, second call, beside qBittorrent's own torrents/info of
 * all fetched and parsed by a plain client right after; and the service's memory then.
 * @param {{ url: string, pid: number }} service @param {ReturnType<typeof import('./harness.mjs').directApi>} api
 */
async function listing(service, api) {
  const list = () =>
    timed(async () => {
      const response = await fetch(`${service.url}/downloads`);
      if (response.status !== 200) throw new Error(`GET /downloads answered ${response.status}`);
      await response.arrayBuffer();
    });
  await list();
  const ms = await list();
  const directMs = await timed(() => api.listAll());
  return { ms, directMs, ratio: ms / directMs, rssMb: memoryOf(service.pid).rssMb };
}

/** Sequential adds for the instruction counts: enough to see the per-add work past start-up. */
const COUNTED_ADDS = 300;

/**
 * The instructions the service executes per add at 1 client, under valgrind's callgrind: its own
 * work, whatever else this machine is doing (the wall-clock figures above move by 10-20% from run
 * to run here; two builds of the same commit differ as much). Counted as the difference between a
 * start with COUNTED_ADDS adds and one with none, so start-up and shutdown cancel out; V8 still
 * compiles during the first adds, in both builds. Null when valgrind is not installed.
 * @param {{ name: string, dir: string }} build @param {import('../scripts/lib/qbittorrent.mjs').RunningQbittorrent} qbittorrent
 * @param {ReturnType<typeof import('./harness.mjs').directApi>} api
 */
async function instructionsPerAdd(build, qbittorrent, api) {
  if (spawnSync('valgrind', ['--version']).status !== 0) return null;
  const totals = [];
  for (const adds of [0, COUNTED_ADDS]) {
    await api.clear();
    const port = await freePort();
    const out = join(mkdtempSync(join(tmpdir(), 'downloader-callgrind-')), 'callgrind.out');
    const child = spawn(
      'valgrind',
      ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, ...serviceArgs()],
      {
        cwd: build.dir,
        env: { PATH: process.env.PATH ?? '', ...serviceEnv(port, [qbittorrent.url], qbittorrent) },
        stdio: 'ignore',
      },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await waitForOk(`http://127.0.0.1:${port}/health/ready`, 300_000);
      for (let i = 0; i < adds; i++) {
        const magnet = `magnet:?xt=urn:btih:${randomBytes(20).toString('hex')}`;
        const response = await fetch(`http://127.0.0.1:${port}/download`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ link_id: 1, url: magnet }),
        });
        await response.arrayBuffer();
      }
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    const summary = readFileSync(out, 'utf8')
      .split('\n')
      .find((line) => line.startsWith('summary:') || line.startsWith('totals:'));
    rmSync(dirname(out), { recursive: true, force: true });
    totals.push(Number(summary?.split(/\s+/)[1]));
  }
  return (totals[1] - totals[0]) / COUNTED_ADDS;
}

/** @param {string[]} argv */
export async function runAb(argv) {
  const asked = argv.find((arg) => arg.startsWith('--base'))?.split('=')[1];
  const base = baseCommit(asked === '' ? undefined : asked);
  const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
  const headName = `HEAD ${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + working tree' : ''}`;
  console.log(`bench: building ${base.ref} (${base.sha.slice(0, 8)}) beside ${headName}`);
  const built = buildBase(base.sha);
  const builds = [
    { name: `${base.ref} ${base.sha.slice(0, 8)}`, dir: built.dir },
    { name: headName, dir: root },
  ];
  /** @type {import('node:child_process').ChildProcess[]} */
  const children = [];
  const qbittorrents = [await startQbittorrent({ version: '4.5.2' })];
  try {
    const [first] = qbittorrents;
    const api = await directApiOf(first);
    const version = await (await api.call('app/version')).text();
    const one = [first.url];
    const idle = await idleMemory(builds, one, first, children);
    /** @type {[any, any]} */
    const services = /** @type {any} */ (
      await Promise.all(builds.map((build) => startService(build, one, first, children)))
    );
    const c1 = await abba(services, 1, [api], false);
    const c32 = await abba(services, 32, [api], false);

    await api.clear();
    const loading = performance.now();
    await loadArchive(api, ARCHIVE.torrents, ARCHIVE.withMetadata);
    // Both quiet long enough to have given back what the adds grew (30 s, looked at every 5 s).
    await sleep(Math.max(0, 40_000 - (performance.now() - loading)));
    /** @type {{ index: number, ms: number, directMs: number, ratio: number, rssMb: number }[]} */
    const lists = [];
    for (const index of [0, 1, 1, 0])
      lists.push({ index, ...(await listing(services[index], api)) });
    // The ratio is the worse of its two rounds. The memory is read where the other side's round
    // came just before, as after the archive's load: from a service that had been quiet, its
    // memory given back (run after run, what one listing left adds to the next until then).
    const listOf = (/** @type {number} */ index) => {
      const runs = lists.filter((run) => run.index === index);
      return {
        ms: Math.max(...runs.map((run) => run.ms)),
        directMs: Math.min(...runs.map((run) => run.directMs)),
        ratio: Math.max(...runs.map((run) => run.ratio)),
        rssMb: runs[0].rssMb,
        rssEach: runs.map((run) => run.rssMb),
      };
    };
    const listed = [listOf(0), listOf(1)];
    // A fresh service of each build, the archive still in qBittorrent: what a scrape costs, and
    // what the view it starts costs qBittorrent (the services above are idle and unscraped).
    const scrapes = [];
    for (const build of builds) {
      const fresh = () => startService(build, [first.url], first, children);
      scrapes.push(await scrapeCost(fresh, first.pid));
    }
    // Calls per add, counted through /metrics now that the timed runs and the listing are done.
    /** @type {number[][]} */
    const callsPerAdd = [];
    for (const service of services) {
      const perAdd = [];
      for (const connections of [1, 32]) {
        perAdd.push((await addRun(service, connections, [api], true)).callsPerAdd);
      }
      callsPerAdd.push(perAdd);
    }
    const instructions = [];
    for (const build of builds) instructions.push(await instructionsPerAdd(build, first, api));
    for (const service of services) await stop(service.child);
    await api.clear();

    // Three qBittorrents behind one service: adds at 32 clients, from empty ones.
    for (let i = 0; i < 2; i++) {
      qbittorrents.push(await startQbittorrent({ version: '4.5.2', password: first.password }));
    }
    const apis = await Promise.all(qbittorrents.map(directApiOf));
    const urls = qbittorrents.map((q) => q.url);
    // A base from before several qBittorrents (da92e7a) refuses the list of URLs: HEAD alone then.
    /** @type {any[]} */
    const trios = [];
    for (const build of builds) {
      trios.push(await startService(build, urls, first, children).catch(() => null));
    }
    for (const trio of trios.filter(Boolean)) {
      for (let i = 0; i < 100; i++) {
        const ready = /** @type {any} */ (await (await fetch(`${trio.url}/health/ready`)).json());
        const instances = ready.details?.qbittorrent?.instances ?? [];
        if (instances.every((/** @type {any} */ one) => one.free_space_on_disk !== null)) break;
        await sleep(100);
      }
    }
    const three = trios[0]
      ? await abba(/** @type {[any, any]} */ (trios), 32, apis, true)
      : [
          null,
          merged(await addRun(trios[1], 32, apis, true), await addRun(trios[1], 32, apis, true)),
        ];
    // (Without a base to alternate with, HEAD's two runs follow each other.)
    for (const trio of trios.filter(Boolean)) await stop(trio.child);
    for (const each of apis) await each.clear();

    print({ version, builds, idle, c1, c32, callsPerAdd, listed, scrapes, three, instructions });
  } finally {
    for (const child of children) await stop(child);
    for (const q of qbittorrents) await q.stop();
    built.remove();
  }
}

/** @param {any} r */
function print(r) {
  const ms = (/** @type {number} */ v) => `${v.toFixed(2)} ms`;
  const rps = (/** @type {number} */ v) => `${Math.round(v)}/s`;
  const mb = (/** @type {number} */ v) => `${v.toFixed(1)} MB`;
  const x = (/** @type {number} */ v) => `${v.toFixed(2)}x`;
  const verdict = (/** @type {boolean} */ ok) => (ok ? 'met' : 'MISSED');
  const [a, b] = r.builds.map((/** @type {any} */ build) => build.name);
  const rows = [
    `qBittorrent ${r.version}; ${a} (base) beside ${b}; adds A B B A three times after a run of each`,
    'One qBittorrent: the timed runs and the listing read no /metrics (a scrape turns monitoring on in a build that keeps one qBittorrent in view once scraped); calls per add are counted after them; the scrape rows start fresh services.',
    '',
    `| one qBittorrent | ${a} | ${b} | ${b} / base | goal |`,
    '|---|---|---|---|---|',
    `| adds, 1 client, p50 (median of the runs; ratio: median of the six A-B pairs) | ${ms(r.c1[0].p50)} | ${ms(r.c1[1].p50)} | ${x(r.c1.ratio.p50)} | <= ${GOALS.p50At1}x: ${verdict(r.c1.ratio.p50 <= GOALS.p50At1)} |`,
    `| adds, 1 client, p99 | ${ms(r.c1[0].p99)} | ${ms(r.c1[1].p99)} | ${x(r.c1[1].p99 / r.c1[0].p99)} | |`,
    `| adds, 32 clients, throughput (likewise) | ${rps(r.c32[0].rps)} | ${rps(r.c32[1].rps)} | ${x(r.c32.ratio.rps)} | >= ${GOALS.throughputAt32}x: ${verdict(r.c32.ratio.rps >= GOALS.throughputAt32)} |`,
    `| adds, 32 clients, each run, in order | ${r.c32[0].each.join(', ')}/s | ${r.c32[1].each.join(', ')}/s | | |`,
    `| adds, qBittorrent calls per add, 1 / 32 clients (a run of each after the listing) | ${r.callsPerAdd[0].map((/** @type {number} */ v) => v.toFixed(2)).join(' / ')} | ${r.callsPerAdd[1].map((/** @type {number} */ v) => v.toFixed(2)).join(' / ')} | | |`,
    `| adds, the service's CPU per add at 32 clients | ${Math.round(r.c32[0].serverCpuUs)} µs | ${Math.round(r.c32[1].serverCpuUs)} µs | ${x(r.c32[1].serverCpuUs / r.c32[0].serverCpuUs)} | |`,
    ...instructionRow(r.instructions),
    `| non-2xx or errors | ${failures(r, 0)} | ${failures(r, 1)} | | 0 |`,
    `| resident memory, idle (median of 3 starts) | ${mb(r.idle[0])} | ${mb(r.idle[1])} | ${(r.idle[1] - r.idle[0]).toFixed(1)} MB | <= +${GOALS.idleRssOverMb} MB: ${verdict(r.idle[1] - r.idle[0] <= GOALS.idleRssOverMb)} |`,
    `| GET /downloads of all ${ARCHIVE.torrents} (${ARCHIVE.withMetadata} with metadata), second call; torrents/info of all right after | ${ms(r.listed[0].ms)}; ${ms(r.listed[0].directMs)} (${x(r.listed[0].ratio)}) | ${ms(r.listed[1].ms)}; ${ms(r.listed[1].directMs)} (${x(r.listed[1].ratio)}) | | <= ${GOALS.listRatio}x torrents/info: ${verdict(r.listed[1].ratio <= GOALS.listRatio)} |`,
    `| resident memory after its first round, from quiet (each round) | ${mb(r.listed[0].rssMb)} (${r.listed[0].rssEach.map(mb).join(', ')}) | ${mb(r.listed[1].rssMb)} (${r.listed[1].rssEach.map(mb).join(', ')}) | | <= ${GOALS.listRssMb} MB: ${verdict(r.listed[1].rssMb <= GOALS.listRssMb)} |`,
    ...scrapeRows(r.scrapes, ms, ARCHIVE.torrents),
    '',
    `| three qBittorrents | ${a} | ${b} | ${b} / base |`,
    '|---|---|---|---|',
    ...threeRows(r.three, ms, rps, x),
  ];
  console.log(rows.join('\n'));
}

/**
 * The three-qBittorrents rows; a base from before several qBittorrents has none.
 * @param {any[]} three @param {(v: number) => string} ms @param {(v: number) => string} rps
 * @param {(v: number) => string} x
 */
function threeRows([a, b], ms, rps, x) {
  const of = (/** @type {any} */ run, /** @type {(run: any) => string} */ show) =>
    run === null ? 'n/a (one URL only)' : show(run);
  return [
    `| adds, 32 clients, throughput | ${of(a, (run) => rps(run.rps))} | ${rps(b.rps)} | ${a === null ? '' : x(b.rps / a.rps)} |`,
    `| adds, 32 clients, p50 / p99 | ${of(a, (run) => `${ms(run.p50)} / ${ms(run.p99)}`)} | ${ms(b.p50)} / ${ms(b.p99)} | |`,
    `| adds, qBittorrent calls per add | ${of(a, (run) => run.callsPerAdd.toFixed(2))} | ${b.callsPerAdd.toFixed(2)} | |`,
  ];
}

/**
 * The instruction counts, when valgrind could count them.
 * @param {(number | null)[]} instructions
 */
function instructionRow([a, b]) {
  if (a === null || b === null) return [];
  const k = (/** @type {number} */ v) => `${Math.round(v / 1000)}k`;
  return [
    `| adds, 1 client: the service's instructions per add (callgrind, ${COUNTED_ADDS} adds) | ${k(a)} | ${k(b)} | ${(b / a).toFixed(3)}x | |`,
  ];
}

/** @param {any} r @param {number} side */
function failures(r, side) {
  return [r.c1[side], r.c32[side], r.three[side]]
    .filter(Boolean)
    .reduce((sum, run) => sum + run.non2xx + run.errors, 0);
}
