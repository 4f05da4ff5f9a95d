import { afterAll, beforeAll } from '@jest/globals';
import { createServer, type Server, type Socket } from 'node:net';

/** Prints what a fault or bad-input test tried and what came of it, so that a run reads as a report. */
export function report(tried: string, outcome: string, kind: 'fault' | 'input' = 'fault'): void {
  process.stdout.write(`  ${kind}: ${tried}\n     -> ${outcome}\n`);
}

/**
 * Fails the suite if any promise rejection goes unhandled while it runs: a service that
 * "survives" a fault by leaking a rejection is one Node version away from crashing.
 */
export function failOnUnhandledRejections(): { rejections: unknown[] } {
  const seen = { rejections: [] as unknown[] };
  const listener = (reason: unknown) => seen.rejections.push(reason);
  beforeAll(() => {
    process.on('unhandledRejection', listener);
  });
  afterAll(() => {
    process.off('unhandledRejection', listener);
    if (seen.rejections.length > 0) {
      throw new Error(`unhandled rejections: ${seen.rejections.map(String).join('; ')}`);
    }
  });
  return seen;
}

/** A TCP server on 127.0.0.1 that accepts connections and never answers a byte. */
export async function startSilentServer(): Promise<{
  url: string;
  connections: () => number;
  stop: () => Promise<void>;
}> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => accepted,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
