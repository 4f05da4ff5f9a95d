import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { freePort } from '../../scripts/lib/ports.mjs';

const root = join(import.meta.dirname, '..', '..');

/**
 * The service compiled as the Dockerfile compiles it, into `.test-build/<name>` (ignored by git),
 * for a test that runs it as a process of its own. Answers the path of its main.js.
 */
export function compileService(name: string): string {
  const build = join(root, '.test-build', name);
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', build], {
    cwd: root,
  });
  return join(build, 'main.js');
}

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  /** What it wrote so far, stdout and stderr. */
  output(): string;
  /** SIGTERM, and its exit (SIGKILL after 15 s). */
  stop(): Promise<void>;
}

/**
 * The compiled service (`main`) as its own process on 127.0.0.1, configured only from `env`
 * (registration off unless `env` says otherwise), once it listens.
 */
export async function startServiceProcess(
  main: string,
  env: Record<string, string>,
): Promise<ServiceProcess> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, [main], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      BIND_ADDRESS: '127.0.0.1',
      CORE_SERVICE_URL: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  while (!output.includes('Listening on')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the service did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    },
  };
}
