import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse, parseAllDocuments } from 'yaml';
import { loadAppConfig } from '../../src/config/app.config.js';
import { EnvironmentVariables } from '../../src/config/environment.js';
import { execForm, parseDockerfile } from '../support/dockerfile.js';

const root = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const KNOWN_VARIABLES = Object.keys(new EnvironmentVariables());
/** The margin a grace period keeps over the service's own shutdown timeout (deploy/README.md). */
const GRACE_MARGIN_MS = 5000;

/** The Dockerfile's HEALTHCHECK command, exec form. */
function healthcheckCommand(): string[] {
  const final = parseDockerfile(read('Dockerfile')).at(-1);
  const healthcheck = final?.instructions.find((i) => i.keyword === 'HEALTHCHECK');
  return execForm(healthcheck?.args.slice(healthcheck.args.indexOf('CMD') + 3).trim() ?? '[]');
}

/** A Compose duration such as `15s` or `1m30s`, in ms. */
function durationMs(value: string): number {
  let total = 0;
  for (const [, amount, unit] of value.matchAll(/(\d+)(ms|s|m|h)/g)) {
    total +=
      Number(amount) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
  }
  return total;
}

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unnecessary-type-assertion -- parsed YAML is walked as plain data */

describe('Dockerfile', () => {
  const stages = parseDockerfile(read('Dockerfile'));
  const final = stages.at(-1);
  const instructions = (keyword: string) =>
    final?.instructions.filter((i) => i.keyword === keyword) ?? [];

  it('is multi-stage on a small Node base, with production dependencies only in the image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.base).toMatch(/^node:24[\w.-]*-alpine/);
    const runs = stages.flatMap((stage) =>
      stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args),
    );
    expect(runs).toContain('npm ci --omit=dev --omit=optional --no-audit --no-fund');
    expect(instructions('RUN')).toEqual([]); // the image adds nothing beyond what it copies
    expect(instructions('COPY').map((i) => i.args)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^--from=\w+ \/app\/node_modules/),
        expect.stringMatching(/^--from=\w+ \/app\/dist/),
      ]),
    );
  });

  it('runs as a non-root user, in production mode, on port 8002, with signals reaching node', () => {
    expect(instructions('USER').map((i) => i.args)).toEqual(['node']);
    expect(instructions('ENV').map((i) => i.args)).toContain('NODE_ENV=production');
    expect(instructions('EXPOSE').map((i) => i.args)).toEqual(['8002']);
    // The same command as `npm start` (which `npm run local` and the benchmark follow), V8 flags too.
    const start = (JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts
      .start;
    expect(execForm(instructions('CMD')[0].args)).toEqual(start.split(' '));
    expect(start).toMatch(/ dist\/main\.js$/);
  });

  it('has a HEALTHCHECK that needs no curl and probes where the service listens', () => {
    expect(healthcheckCommand()).toEqual(['node', 'dist/health/healthcheck.js']);
  });

  it('needs no BuildKit frontend image (no `# syntax` line)', () => {
    expect(read('Dockerfile')).not.toMatch(/^#\s*syntax\s*=/im);
  });

  it('has a .dockerignore that keeps dependencies, builds, secrets and git out of the context', () => {
    const ignored = read('.dockerignore').split('\n');
    expect(ignored).toEqual(
      expect.arrayContaining(['node_modules', 'dist', '.git', '.env', '.local']),
    );
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml')) as any;
  const envOf = (service: any): Record<string, string> =>
    Object.fromEntries((service.environment as string[]).map((entry) => entry.split(/=(.*)/s, 2)));
  const downloader = compose.services['downloader-qbittorrent'];
  const init = compose.services['qbittorrent-config'];

  it("runs the service built from the Dockerfile, on 8002, with the image's own healthcheck", () => {
    expect(downloader.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    expect(downloader.ports).toEqual(['8002:8002']);
    expect(downloader.restart).toBe('unless-stopped');
    expect(downloader.networks).toEqual(['bangumi-network']);
    expect(downloader.healthcheck.test).toEqual(['CMD', ...healthcheckCommand()]);
    expect(downloader.volumes).toBeUndefined(); // it reads no file
  });

  it("sets the Rust service's variables, with SERVICE_HOST, and only variables the service knows", () => {
    const env = envOf(downloader);
    expect(Object.keys(env)).toEqual(
      expect.arrayContaining([
        'QBITTORRENT_URL',
        'QBITTORRENT_USER',
        'QBITTORRENT_PASSWORD',
        'CORE_SERVICE_URL',
        'SERVICE_HOST',
      ]),
    );
    for (const name of Object.keys(env)) expect(KNOWN_VARIABLES).toContain(name);
    expect(env.QBITTORRENT_URL).toBe('http://qbittorrent:8080');
    expect(env.QBITTORRENT_PASSWORD).toMatch(/^\$\{QBITTORRENT_PASSWORD:\?.+\}$/); // no default password
  });

  it('comes up without the core service nor Prometheus, which join through the `core` and `monitoring` profiles', () => {
    expect(downloader.depends_on).toEqual({ qbittorrent: { condition: 'service_started' } });
    expect(envOf(downloader).CORE_SERVICE_URL).toBe('${CORE_SERVICE_URL:-}');
    const optional: Record<string, string[]> = {
      'core-service': ['core'],
      prometheus: ['monitoring'],
    };
    for (const [name, service] of Object.entries(compose.services) as [string, any][]) {
      expect({ name, profiles: service.profiles }).toEqual({ name, profiles: optional[name] });
    }
  });

  it('gives the shutdown time to finish: stop_grace_period outlasts SHUTDOWN_TIMEOUT_MS', () => {
    const shutdownMs = Number(envOf(downloader).SHUTDOWN_TIMEOUT_MS);
    expect(shutdownMs).toBeGreaterThan(0);
    expect(durationMs(downloader.stop_grace_period)).toBeGreaterThanOrEqual(
      shutdownMs + GRACE_MARGIN_MS,
    );
  });

  it("writes qBittorrent's first config with our own image, from the same credentials, before qBittorrent starts", () => {
    expect(init.image).toBe(downloader.image);
    expect(init.build).toEqual(downloader.build);
    expect(init.command).toEqual([
      'node',
      'dist/qbittorrent-config/write-qbittorrent-config.js',
      '/config/qBittorrent/qBittorrent.conf',
    ]);
    expect(init.restart).toBe('no');
    expect(init.network_mode).toBe('none');
    const env = envOf(init);
    expect(env.QBITTORRENT_USER).toBe(envOf(downloader).QBITTORRENT_USER);
    expect(env.QBITTORRENT_PASSWORD).toBe(envOf(downloader).QBITTORRENT_PASSWORD);
    const qbittorrent = compose.services.qbittorrent;
    expect(env.PUID).toBe(envOf(qbittorrent).PUID);
    expect(env.PGID).toBe(envOf(qbittorrent).PGID);
    expect(init.volumes).toEqual(['qbittorrent-config:/config']);
    expect(qbittorrent.depends_on).toEqual({
      'qbittorrent-config': { condition: 'service_completed_successfully' },
    });
  });

  it('runs a maintained qBittorrent image with its WebUI on 8080, config and downloads volumes and a healthcheck', () => {
    const qbittorrent = compose.services.qbittorrent;
    expect(qbittorrent.image).toMatch(/^lscr\.io\/linuxserver\/qbittorrent:/);
    expect(qbittorrent.ports).toContain('8080:8080');
    expect(qbittorrent.volumes).toEqual(['qbittorrent-config:/config', 'downloads:/downloads']);
    expect(qbittorrent.healthcheck.test.join(' ')).toContain('http://localhost:8080/');
  });

  it('takes the core service image from a variable, and puts every networked service on bangumi-network', () => {
    expect(compose.services['core-service'].image).toMatch(/^\$\{CORE_SERVICE_IMAGE:-.+\}$/);
    expect(compose.services['core-service'].healthcheck).toBeDefined();
    expect(Object.keys(compose.networks)).toEqual(['bangumi-network']);
    for (const [name, service] of Object.entries(compose.services) as [string, any][])
      if (name !== 'qbittorrent-config') expect(service.networks).toEqual(['bangumi-network']);
  });
});

describe('deploy/compose/two-qbittorrents.yml', () => {
  const compose = parse(read('deploy/compose/two-qbittorrents.yml'), { merge: true }) as any;
  const envOf = (service: any): Record<string, string> =>
    Object.fromEntries((service.environment as string[]).map((entry) => entry.split(/=(.*)/s, 2)));
  const downloader = compose.services['downloader-qbittorrent'];

  it('builds the image from the repository and drives both qBittorrents with valid settings', () => {
    expect(downloader.build).toEqual({ context: '../..', dockerfile: 'Dockerfile' });
    const env = envOf(downloader);
    for (const name of Object.keys(env)) expect(KNOWN_VARIABLES).toContain(name);
    const { instances } = loadAppConfig({
      ...env,
      QBITTORRENT_PASSWORD: 'a-long-password',
      CORE_SERVICE_URL: '',
      API_TOKEN: '',
    }).qbittorrent;
    expect(instances.map((instance) => instance.label)).toEqual([
      'qbittorrent-a:8080',
      'qbittorrent-b:8080',
    ]);
    expect(durationMs(downloader.stop_grace_period)).toBeGreaterThanOrEqual(
      Number(env.SHUTDOWN_TIMEOUT_MS) + GRACE_MARGIN_MS,
    );
  });

  it.each(['a', 'b'])(
    'gives qBittorrent %s its own downloads volume and first config, saving under its own folder',
    (name) => {
      const qbittorrent = compose.services[`qbittorrent-${name}`];
      const init = compose.services[`qbittorrent-${name}-config`];
      expect(qbittorrent.volumes).toEqual([
        `qbittorrent-${name}-config:/config`,
        `downloads-${name}:/downloads/${name}`,
      ]);
      expect(qbittorrent.depends_on).toEqual({
        [`qbittorrent-${name}-config`]: { condition: 'service_completed_successfully' },
      });
      expect(init.image).toBe(downloader.image);
      expect(init.volumes).toEqual([`qbittorrent-${name}-config:/config`]);
      expect(envOf(init).QBITTORRENT_SAVE_PATH).toBe(`/downloads/${name}`);
      expect(envOf(init).QBITTORRENT_PASSWORD).toBe(envOf(downloader).QBITTORRENT_PASSWORD);
      expect(envOf(init).PUID).toBe(envOf(qbittorrent).PUID);
    },
  );
});

describe('Kubernetes manifests', () => {
  const manifests = ['configmap.yaml', 'secret.yaml', 'deployment.yaml', 'service.yaml'].flatMap(
    (file) =>
      parseAllDocuments(read(`deploy/k8s/${file}`)).map((document) => document.toJSON() as any),
  );
  const byKind = (kind: string) => manifests.find((manifest) => manifest.kind === kind);
  const deployment = byKind('Deployment');
  const container = deployment.spec.template.spec.containers[0];

  it('are all listed in kustomization.yaml', () => {
    expect((parse(read('deploy/k8s/kustomization.yaml')) as any).resources.sort()).toEqual([
      'configmap.yaml',
      'deployment.yaml',
      'secret.yaml',
      'service.yaml',
    ]);
  });

  it('run 2 replicas, probed at /health (liveness) and /health/ready (readiness)', () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    // The readiness check asks qBittorrent: its timeout must outlast QBITTORRENT_TIMEOUT_MS.
    const qbittorrentTimeout = Number(byKind('ConfigMap').data.QBITTORRENT_TIMEOUT_MS);
    expect(container.readinessProbe.timeoutSeconds * 1000).toBeGreaterThan(qbittorrentTimeout);
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8002 }]);
  });

  it('set resources and a non-root, read-only security context', () => {
    expect(container.resources.requests).toEqual({
      cpu: expect.any(String),
      memory: expect.any(String),
    });
    expect(container.resources.limits).toEqual({
      cpu: expect.any(String),
      memory: expect.any(String),
    });
    expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
  });

  it('give the shutdown time to finish within the grace period, after the preStop pause', () => {
    const shutdownMs = Number(byKind('ConfigMap').data.SHUTDOWN_TIMEOUT_MS);
    const [sleep, seconds] = container.lifecycle.preStop.exec.command as string[];
    expect(sleep).toBe('sleep');
    expect(
      deployment.spec.template.spec.terminationGracePeriodSeconds * 1000,
    ).toBeGreaterThanOrEqual(shutdownMs + Number(seconds) * 1000 + GRACE_MARGIN_MS);
  });

  it('take the password from the Secret and everything else from the ConfigMap, and that configuration is valid', () => {
    const configMap = byKind('ConfigMap');
    const secret = byKind('Secret');
    expect(container.envFrom).toEqual([{ configMapRef: { name: configMap.metadata.name } }]);
    const fromSecret = Object.fromEntries(
      container.env.map((entry: any) => {
        expect(entry.valueFrom.secretKeyRef.name).toBe(secret.metadata.name);
        return [entry.name, secret.stringData[entry.valueFrom.secretKeyRef.key]];
      }),
    );
    expect(Object.keys(fromSecret).sort()).toEqual(['API_TOKEN', 'QBITTORRENT_PASSWORD']);
    expect(Object.keys(configMap.data)).not.toContain('QBITTORRENT_PASSWORD');
    for (const name of [...Object.keys(configMap.data), ...Object.keys(fromSecret)])
      expect(KNOWN_VARIABLES).toContain(name);
    expect(() => loadAppConfig({ ...configMap.data, ...fromSecret })).not.toThrow();
  });

  it("offer qBittorrent with an init container of our image that writes its first config from the downloader's credentials", () => {
    const [qbittorrent] = parseAllDocuments(read('deploy/k8s/qbittorrent.yaml')).map(
      (document) => document.toJSON() as any,
    );
    const [initContainer] = qbittorrent.spec.template.spec.initContainers;
    expect(initContainer.image).toBe(container.image);
    expect(initContainer.command).toEqual([
      'node',
      'dist/qbittorrent-config/write-qbittorrent-config.js',
      '/config/qBittorrent/qBittorrent.conf',
    ]);
    const env = Object.fromEntries(initContainer.env.map((entry: any) => [entry.name, entry]));
    expect(env.QBITTORRENT_USER.valueFrom.configMapKeyRef.name).toBe(
      byKind('ConfigMap').metadata.name,
    );
    expect(env.QBITTORRENT_PASSWORD.valueFrom.secretKeyRef).toEqual(
      container.env.find((entry: any) => entry.name === 'QBITTORRENT_PASSWORD').valueFrom
        .secretKeyRef,
    );
    const [qbittorrentContainer] = qbittorrent.spec.template.spec.containers;
    const mountOf = (c: any) =>
      c.volumeMounts.find((mount: any) => mount.mountPath === '/config').name;
    expect(mountOf(initContainer)).toBe(mountOf(qbittorrentContainer));
    // Each replica saves into a folder named after its pod, on its own downloads volume.
    expect(env.POD_NAME.valueFrom.fieldRef.fieldPath).toBe('metadata.name');
    expect(env.QBITTORRENT_SAVE_PATH.value).toBe('/downloads/$(POD_NAME)');
  });

  it('run qBittorrent as a StatefulSet, a volume per replica, each named in QBITTORRENT_URL', () => {
    const [statefulSet, headless] = parseAllDocuments(read('deploy/k8s/qbittorrent.yaml')).map(
      (document) => document.toJSON() as any,
    );
    expect(statefulSet.kind).toBe('StatefulSet');
    expect(statefulSet.spec.volumeClaimTemplates.map((claim: any) => claim.metadata.name)).toEqual([
      'config',
      'downloads',
    ]);
    expect(headless).toMatchObject({
      kind: 'Service',
      metadata: { name: statefulSet.spec.serviceName },
      spec: { clusterIP: 'None', selector: statefulSet.spec.selector.matchLabels },
    });
    const replicas = Array.from(
      { length: statefulSet.spec.replicas },
      (_, i) => `http://${statefulSet.metadata.name}-${i}.${headless.metadata.name}:8080`,
    );
    const { instances } = loadAppConfig(byKind('ConfigMap').data).qbittorrent;
    expect(instances.map((instance) => instance.url)).toEqual(replicas);
    expect(replicas.length).toBeGreaterThanOrEqual(2);
  });

  it('expose port 8002 through a Service that selects the pods', () => {
    const service = byKind('Service');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 8002, targetPort: 'http' }]);
    expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    expect(deployment.spec.selector.matchLabels).toEqual(service.spec.selector);
  });
});
