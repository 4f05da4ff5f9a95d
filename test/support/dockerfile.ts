import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  base: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** The stages of a Dockerfile, with continuation lines joined and comments dropped. */
export function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push(pending + line);
    pending = '';
  }
  const stages: Stage[] = [];
  for (const line of logical) {
    const [keyword, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') {
      const [base, as, name] = args.split(/\s+/);
      stages.push({ base, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return stages;
}

/** A JSON-array (exec form) argument, as CMD ["node", "dist/main.js"]. */
export function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) {
    throw new Error(`not an exec-form array: ${args}`);
  }
  return parsed;
}

export interface Replay {
  /** The final stage's folder, standing for the image's WORKDIR. */
  root: string;
  env: Record<string, string>;
  cmd: string[];
  healthcheck: string[] | undefined;
}

/**
 * Replays a Dockerfile without Docker: each stage in a folder of its own standing for its WORKDIR,
 * COPY from the build context or from an earlier stage, RUN in that folder with the stage's ENV.
 * The machine's Node and npm stand in for the base image's.
 */
export function replayDockerfile(dockerfile: string, context: string, workspace: string): Replay {
  const stages = parseDockerfile(readFileSync(dockerfile, 'utf8'));
  const folders = new Map<string, string>();
  let last: Replay | undefined;
  stages.forEach((stage, index) => {
    const folder = join(workspace, `stage-${index}-${stage.name ?? 'final'}`);
    mkdirSync(folder, { recursive: true });
    let workdir = '/';
    const env: Record<string, string> = {};
    let cmd: string[] = [];
    let healthcheck: string[] | undefined;
    const inStage = (path: string) =>
      join(folder, relative(workdir, path.startsWith('/') ? path : join(workdir, path)));
    for (const { keyword, args } of stage.instructions) {
      switch (keyword) {
        case 'WORKDIR':
          workdir = args;
          break;
        case 'ENV': {
          const [name, ...value] = args.split('=');
          env[name] = value.join('=');
          break;
        }
        case 'COPY': {
          const from = /^--from=(\S+)\s+/.exec(args);
          const parts = args.replace(/^--from=\S+\s+/, '').split(/\s+/);
          const destination = parts.pop() as string;
          for (const source of parts) {
            const origin = from
              ? join(folders.get(from[1]) ?? '', relative('/app', source))
              : join(context, source);
            if (!existsSync(origin)) throw new Error(`COPY source missing: ${source}`);
            const target = destination.endsWith('/')
              ? join(inStage(destination), source.split('/').pop() ?? '')
              : inStage(destination);
            mkdirSync(dirname(target), { recursive: true });
            cpSync(origin, target, { recursive: true });
          }
          break;
        }
        case 'RUN':
          execFileSync('sh', ['-c', args], {
            cwd: inStage('.'),
            // The Node.js running the tests stands in for the image's, as in runReplay.
            env: {
              ...process.env,
              PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
              ...env,
            },
            stdio: ['ignore', 'ignore', 'pipe'],
          });
          break;
        case 'CMD':
          cmd = execForm(args);
          break;
        case 'HEALTHCHECK':
          healthcheck = execForm(args.slice(args.indexOf('CMD') + 3).trim());
          break;
        default:
          break; // USER, EXPOSE: checked by the static test
      }
    }
    if (stage.name) folders.set(stage.name, folder);
    last = { root: folder, env, cmd, healthcheck };
  });
  if (!last) throw new Error('no stage in the Dockerfile');
  return last;
}

/** Starts the replayed image's CMD with `env` on top of its ENV. */
export function runReplay(replay: Replay, env: Record<string, string>): ChildProcess {
  const [command, ...args] = replay.cmd;
  return spawn(command === 'node' ? process.execPath : command, args, {
    cwd: replay.root,
    env: { PATH: process.env.PATH, ...replay.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
