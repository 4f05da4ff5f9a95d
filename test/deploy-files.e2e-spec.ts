import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse, parseAllDocuments } from 'yaml';
import { loadAppConfig } from '../src/config/app.config.js';
import { EnvironmentVariables } from '../src/config/environment.js';
import { execForm, parseDockerfile } from './support/dockerfile.js';

const root = join(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const KNOWN_VARIABLES = Object.keys(new EnvironmentVariables());

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
    expect(execForm(instructions('CMD')[0].args)).toEqual(['node', 'dist/main.js']);
  });

  it('has a HEALTHCHECK that needs no curl', () => {
    const [healthcheck] = instructions('HEALTHCHECK');
    const command = execForm(healthcheck.args.slice(healthcheck.args.indexOf('CMD') + 3).trim());
    expect(command.slice(0, 2)).toEqual(['node', '-e']);
    expect(command[2]).toContain('/health');
    expect(healthcheck.args).not.toContain('curl');
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

  it('runs the service built from the Dockerfile, on 8002, with a curl-free healthcheck', () => {
    const service = compose.services['downloader-qbittorrent'];
    expect(service.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    expect(service.ports).toEqual(['8002:8002']);
    expect(service.restart).toBe('unless-stopped');
    expect(service.networks).toEqual(['bangumi-network']);
    expect(service.healthcheck.test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    expect(service.healthcheck.test[3]).toContain('http://127.0.0.1:8002/health');
  });

  it("sets the seed's variables, with SERVICE_HOST, and only variables the service knows", () => {
    const env = envOf(compose.services['downloader-qbittorrent']);
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
    expect(env.CORE_SERVICE_URL).toBe('http://core-service:8000');
  });

  it('waits for a healthy core service, as the seed does', () => {
    expect(compose.services['downloader-qbittorrent'].depends_on).toEqual({
      'core-service': { condition: 'service_healthy' },
      qbittorrent: { condition: 'service_started' },
    });
  });

  it('runs a maintained qBittorrent image with its WebUI on 8080, config and downloads volumes and a healthcheck', () => {
    const qbittorrent = compose.services.qbittorrent;
    expect(qbittorrent.image).toMatch(/^lscr\.io\/linuxserver\/qbittorrent:/);
    expect(qbittorrent.ports).toContain('8080:8080');
    expect(qbittorrent.volumes).toEqual(['qbittorrent-config:/config', 'downloads:/downloads']);
    expect(qbittorrent.healthcheck.test.join(' ')).toContain('http://localhost:8080/');
  });

  it('takes the core service image from a variable, and puts everyone on bangumi-network', () => {
    expect(compose.services['core-service'].image).toMatch(/^\$\{CORE_SERVICE_IMAGE:-.+\}$/);
    expect(compose.services['core-service'].healthcheck).toBeDefined();
    expect(Object.keys(compose.networks)).toEqual(['bangumi-network']);
    for (const service of Object.values(compose.services) as any[])
      expect(service.networks).toEqual(['bangumi-network']);
  });
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

  it('give the shutdown time to finish within the grace period', () => {
    const shutdownMs = Number(byKind('ConfigMap').data.SHUTDOWN_TIMEOUT_MS);
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(
      shutdownMs + 5000,
    );
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

  it('expose port 8002 through a Service that selects the pods', () => {
    const service = byKind('Service');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 8002, targetPort: 'http' }]);
    expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    expect(deployment.spec.selector.matchLabels).toEqual(service.spec.selector);
  });
});
