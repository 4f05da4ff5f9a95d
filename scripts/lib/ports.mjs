import { readFileSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { get } from 'node:http';
import { get as getHttps } from 'node:https';
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

/**
 * Whether a server could listen on `port` at `host` now: false when any program listens there, or
 * on all addresses.
 * @param {number} port
 * @param {string} [host]
 * @returns {Promise<boolean>}
 */
export function isFree(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * Whether the process `pid` itself holds a listening TCP socket on `port` (Linux: the socket
 * inodes of /proc/net/tcp{,6} against the process's open files). Tells the server a test started
 * from another program that took its port.
 * @param {number} pid
 * @param {number} port
 * @returns {Promise<boolean>}
 */
export async function listensOn(pid, port) {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const listening = new Set();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const lines = (await readFile(table, 'utf8').catch(() => '')).split('\n').slice(1);
    for (const line of lines) {
      const fields = line.trim().split(/\s+/);
      // fields: sl, local address:port, remote address:port, state (0A = LISTEN), ..., inode
      if (fields[3] === '0A' && fields[1]?.endsWith(`:${hexPort}`)) listening.add(fields[9]);
    }
  }
  if (listening.size === 0) return false;
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => []);
  for (const fd of fds) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode && listening.has(inode)) return true;
  }
  return false;
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

/**
 * Whether anything answers HTTP at `url` (any status counts; over HTTPS, whatever its
 * certificate). No keep-alive: nothing is left open.
 * @param {string} url
 * @returns {Promise<boolean>}
 */
export function answers(url) {
  const https = url.startsWith('https:');
  return new Promise((resolve) => {
    const options = { agent: false, timeout: 1000, rejectUnauthorized: !https };
    const request = (https ? getHttps : get)(url, options, (response) => {
      response.resume();
      resolve(true);
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(false));
  });
}
