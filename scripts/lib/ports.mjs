import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The kernel's range of ephemeral ports, from which it picks the local port of every outgoing
 * connection. A port chosen there for a server started later can be taken in the meantime: by any
 * connection, or by a retrying client's own connection to it (a TCP self-connect).
 */
function ephemeralRange() {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (low > 0 && high >= low) return { low, high };
  } catch {
    // not Linux: assume the IANA range
  }
  return { low: 49152, high: 65535 };
}

/** @param {number} port @returns {Promise<boolean>} */
function isFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, outside the ephemeral range so that no
 * outgoing connection takes it before the server it is meant for binds it.
 * @returns {Promise<number>}
 */
export async function freePort() {
  const { low, high } = ephemeralRange();
  const [from, to] = low > 11_000 ? [10_000, low - 1] : [high + 1, 65_535];
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = from + Math.floor(Math.random() * (to - from + 1));
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port found between ${from} and ${to}`);
}
