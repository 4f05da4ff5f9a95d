import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../scripts/lib/ports.mjs';

/** One scrape job of the test's Prometheus: the service at `target` (host:port). */
export interface ScrapeJob {
  name: string;
  target: string;
  /** The service's API_TOKEN, sent as a bearer token. */
  token?: string;
}

/** An alert as Prometheus's /api/v1/alerts lists it. */
export interface ListedAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
  value: string;
}

/** One series of an instant query's answer. */
export interface QueriedSeries {
  metric: Record<string, string>;
  value: [number, string];
}

/**
 * A real Prometheus (Debian's package), on 127.0.0.1, scraping `jobs` and evaluating `rules` every
 * second, its data in a folder of its own removed on stop.
 */
export class RunningPrometheus {
  private constructor(
    readonly url: string,
    private readonly process: ChildProcess,
    private readonly folder: string,
    private readonly log: () => string,
  ) {}

  static async start(jobs: readonly ScrapeJob[], rules: string): Promise<RunningPrometheus> {
    const folder = mkdtempSync(join(tmpdir(), 'downloader-prometheus-'));
    writeFileSync(join(folder, 'rules.yml'), rules);
    const scrapeConfigs = jobs.map(({ name, target, token }, n) => {
      if (token !== undefined) writeFileSync(join(folder, `token-${n}`), token);
      return [
        `  - job_name: ${name}`,
        ...(token === undefined
          ? []
          : ['    authorization:', `      credentials_file: ${join(folder, `token-${n}`)}`]),
        `    static_configs: [{ targets: ['${target}'] }]`,
      ].join('\n');
    });
    writeFileSync(
      join(folder, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s, scrape_timeout: 1s }',
        `rule_files: ['${join(folder, 'rules.yml')}']`,
        'scrape_configs:',
        ...scrapeConfigs,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    const child = spawn(
      'prometheus',
      [
        `--config.file=${join(folder, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(folder, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const prometheus = new RunningPrometheus(`http://127.0.0.1:${port}`, child, folder, () => log);
    for (let tries = 0; ; tries++) {
      const ready = await fetch(`${prometheus.url}/-/ready`).then(
        (response) => response.ok,
        () => false,
      );
      if (ready) return prometheus;
      if (tries > 150 || child.exitCode !== null) {
        await prometheus.stop();
        throw new Error(`Prometheus did not start: ${log}`);
      }
      await sleep(100);
    }
  }

  /** The alerts pending or firing now. */
  async alerts(): Promise<ListedAlert[]> {
    const answer = (await (await fetch(`${this.url}/api/v1/alerts`)).json()) as {
      data: { alerts: ListedAlert[] };
    };
    return answer.data.alerts;
  }

  /** Waits until `wanted` holds of the firing alerts (up to `timeoutMs`); answers them. */
  async firingWhen(
    wanted: (firing: ListedAlert[]) => boolean,
    timeoutMs: number,
  ): Promise<ListedAlert[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const firing = (await this.alerts()).filter((alert) => alert.state === 'firing');
      if (wanted(firing)) return firing;
      if (Date.now() > deadline) {
        throw new Error(
          `not in ${timeoutMs} ms; firing: ${JSON.stringify(firing.map((alert) => alert.labels))}`,
        );
      }
      await sleep(250);
    }
  }

  /** An instant query. */
  async query(expr: string): Promise<QueriedSeries[]> {
    const response = await fetch(
      `${this.url}/api/v1/query?${new URLSearchParams({ query: expr }).toString()}`,
    );
    const answer = (await response.json()) as {
      status: string;
      error?: string;
      data: { result: QueriedSeries[] };
    };
    if (answer.status !== 'success') throw new Error(`${expr}: ${answer.error ?? answer.status}`);
    return answer.data.result;
  }

  /** Stops it by its pid and removes its folder. */
  async stop(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      const exited = once(this.process, 'exit');
      this.process.kill('SIGTERM');
      const late = setTimeout(() => this.process.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(late);
    }
    rmSync(this.folder, { recursive: true, force: true });
  }

  /** What it logged (warnings and errors), for a failure's message. */
  get logged(): string {
    return this.log();
  }
}

/**
 * The rules of deploy/monitoring as a test can wait for them: every `for:` one second, so that an
 * alert fires once its expression has held for a second. The expressions are the shipped ones;
 * `promtool test rules` proves the durations.
 */
export function rulesWithShortFor(path: string): string {
  return readFileSync(path, 'utf8').replace(/^(\s+)for: \S+$/gm, '$1for: 1s');
}
