import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { parse, stringify } from 'yaml';

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- parsed YAML and JSON are walked as plain data */

const root = join(import.meta.dirname, '..', '..');
const monitoring = join(root, 'deploy', 'monitoring');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const scratch = mkdtempSync(join(tmpdir(), 'downloader-monitoring-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs promtool (Debian's `prometheus` package, installed by `npm run setup`). */
function promtool(args: string[], cwd = root): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const rules = parse(read('deploy/monitoring/downloader.rules.yml'));
const alerts: any[] = rules.groups.flatMap((group: any) => group.rules);

describe('the alert rules (deploy/monitoring)', () => {
  it('pass `promtool check rules`, as a plain rules file and as the PrometheusRule', () => {
    const plain = promtool(['check', 'rules', 'deploy/monitoring/downloader.rules.yml']);
    expect(plain.output).toContain('SUCCESS');
    expect(plain.status).toBe(0);
    const operator = parse(read('deploy/monitoring/prometheus-rule.yaml'));
    expect(operator.kind).toBe('PrometheusRule');
    expect(operator.apiVersion).toBe('monitoring.coreos.com/v1');
    const file = join(scratch, 'operator.rules.yml');
    writeFileSync(file, stringify({ groups: operator.spec.groups }));
    expect(promtool(['check', 'rules', file]).status).toBe(0);
  });

  it('are the same in the PrometheusRule as in the plain rules file', () => {
    const operator = parse(read('deploy/monitoring/prometheus-rule.yaml'));
    expect(operator.spec.groups).toEqual(rules.groups);
  });

  it('pass their `promtool test rules` unit tests, each alert firing and not firing', () => {
    const tests = 'deploy/monitoring/tests/downloader.rules.test.yml';
    const run = promtool(['test', 'rules', tests]);
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
    const suite = parse(read(tests));
    for (const { alert } of alerts) {
      const checks = suite.tests.flatMap((test: any) =>
        (test.alert_rule_test ?? []).filter((check: any) => check.alertname === alert),
      );
      expect({ alert, fires: checks.some((check: any) => check.exp_alerts.length > 0) }).toEqual({
        alert,
        fires: true,
      });
      expect({ alert, quiet: checks.some((check: any) => check.exp_alerts.length === 0) }).toEqual({
        alert,
        quiet: true,
      });
    }
  });

  it('give each alert a severity, a summary and a runbook line', () => {
    expect(alerts.length).toBeGreaterThanOrEqual(10);
    for (const alert of alerts) {
      expect({ alert: alert.alert, severity: alert.labels?.severity }).toEqual({
        alert: alert.alert,
        severity: expect.stringMatching(/^(critical|warning|info)$/),
      });
      expect(alert.annotations.summary).toEqual(expect.any(String));
      expect(alert.annotations.runbook.length).toBeGreaterThan(60);
    }
  });

  it('fail the unit tests when an alert is broken (the tests can fail)', () => {
    const broken = read('deploy/monitoring/downloader.rules.yml').replace(
      'max by (job) (downloader_qbittorrent_up) == 0',
      'max by (job) (downloader_qbittorrent_up) == 2',
    );
    writeFileSync(join(scratch, 'downloader.rules.yml'), broken);
    const tests = parse(read('deploy/monitoring/tests/downloader.rules.test.yml'));
    tests.rule_files = ['downloader.rules.yml'];
    writeFileSync(join(scratch, 'broken.test.yml'), stringify(tests));
    const run = promtool(['test', 'rules', 'broken.test.yml'], scratch);
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('DownloaderAllQbittorrentsDown');
  });
});

describe("Prometheus in Compose, the Operator's objects in Kubernetes", () => {
  const compose = parse(read('docker-compose.yml'));
  const prometheus = compose.services.prometheus;

  it('runs Prometheus in the `monitoring` profile only, with the rules and a config promtool accepts', () => {
    expect(prometheus.profiles).toEqual(['monitoring']);
    expect(prometheus.image).toMatch(/^prom\/prometheus:v\d+\.\d+\.\d+$/);
    const mounts = new Map<string, string>(
      prometheus.volumes
        .filter((volume: string) => volume.startsWith('./'))
        .map((volume: string) => volume.split(':').slice(0, 2).reverse() as [string, string]),
    );
    const config = parse(read('deploy/monitoring/prometheus.yml'));
    for (const ruleFile of config.rule_files) {
      expect(mounts.get(ruleFile)).toBe('./deploy/monitoring/downloader.rules.yml');
    }
    const job = config.scrape_configs[0];
    expect(job.job_name).toBe('downloader-qbittorrent'); // the job the alerts name
    const service = compose.services['downloader-qbittorrent'];
    const port = service.environment
      .find((entry: string) => entry.startsWith('PORT='))
      .slice('PORT='.length);
    expect(job.static_configs[0].targets).toEqual([`downloader-qbittorrent:${port}`]);
    // promtool checks the config with its paths where the container has them.
    const local = read('deploy/monitoring/prometheus.yml')
      .replaceAll('/etc/prometheus/downloader.rules.yml', join(monitoring, 'downloader.rules.yml'))
      .replaceAll('/prometheus/api-token', join(scratch, 'api-token'));
    writeFileSync(join(scratch, 'api-token'), '');
    writeFileSync(join(scratch, 'prometheus.yml'), local);
    const check = promtool(['check', 'config', join(scratch, 'prometheus.yml')]);
    expect(check.output).toContain('SUCCESS');
    expect(check.status).toBe(0);
    // The token file the entrypoint writes is the one the scrape reads.
    expect(prometheus.entrypoint.join(' ')).toContain(job.authorization.credentials_file);
  });

  it('applies the ServiceMonitor and the PrometheusRule apart from the default kustomization', () => {
    const base = parse(read('deploy/k8s/kustomization.yaml'));
    const kinds = base.resources.map((file: string) => parse(read(`deploy/k8s/${file}`)).kind);
    expect(kinds).not.toContain('ServiceMonitor');
    expect(kinds).not.toContain('PrometheusRule');
    const apart = parse(read('deploy/monitoring/kustomization.yaml'));
    expect(
      apart.resources.map((file: string) => parse(read(`deploy/monitoring/${file}`)).kind),
    ).toEqual(['ServiceMonitor', 'PrometheusRule']);
  });

  it("has the ServiceMonitor select the Service, by its port name, with the Secret's token", () => {
    const monitor = parse(read('deploy/monitoring/service-monitor.yaml'));
    const service = parse(read('deploy/k8s/service.yaml'));
    const secret = parse(read('deploy/k8s/secret.yaml'));
    expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    // The Operator names the job after the Service: the job the alerts name.
    expect(service.metadata.name).toBe('downloader-qbittorrent');
    const [endpoint] = monitor.spec.endpoints;
    expect(service.spec.ports.map((port: any) => port.name)).toContain(endpoint.port);
    expect(endpoint.path).toBe('/metrics');
    expect(endpoint.authorization.credentials.name).toBe(secret.metadata.name);
    expect(Object.keys(secret.stringData)).toContain(endpoint.authorization.credentials.key);
  });
});

describe('the Grafana dashboard', () => {
  const dashboard = JSON.parse(read('deploy/monitoring/grafana-dashboard.json'));

  it('has the panels operators look at', () => {
    expect(dashboard.panels.map((panel: any) => panel.title)).toEqual(
      expect.arrayContaining([
        'Adds by outcome',
        'Torrents by status, per qBittorrent',
        'Room and free space, per qBittorrent',
        'Time until full, per qBittorrent',
        'Dead and stalled torrents',
        'qBittorrent call latency',
        'HTTP latency by route',
      ]),
    );
  });

  it('has queries Prometheus parses', () => {
    const queries = dashboard.panels.flatMap((panel: any) =>
      panel.targets.map((target: any) => target.expr),
    );
    const asRules = {
      groups: [
        {
          name: 'dashboard',
          rules: queries.map((expr: string, n: number) => ({
            record: `dashboard:query${n}`,
            expr,
          })),
        },
      ],
    };
    writeFileSync(join(scratch, 'dashboard.rules.yml'), stringify(asRules));
    const check = promtool(['check', 'rules', join(scratch, 'dashboard.rules.yml')]);
    expect(check.output).toContain('SUCCESS');
    expect(check.status).toBe(0);
  });
});
