// The reference points of the add benchmark: a minimal NestJS application (Express, the same
// framework stack as the service) that forwards POST /download to torrents/add over kept-alive
// connections with a session cookie, and answers 201. No validation, no retries, no logs. With
// `confirm`, it then confirms the add the simplest correct way: it looks the torrent up, and again
// after 2, 5, 10... ms, until qBittorrent lists it (about 1 s at most). GET /calls counts the
// calls it made to qBittorrent. Plain JavaScript: decorators applied as functions.
//   node bench/minimal-nest.mjs <port> <qBittorrent url> <cookie> <confirm: 0 | 1>
import 'reflect-metadata';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Body, Controller, Get, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

const [port, qbittorrent, cookie, confirm] = process.argv.slice(2);
const agent = new Agent({ keepAlive: true, maxSockets: 32 });
const WAITS_MS = [2, 5, 10, 20, 40, 80, 160, 300, 400];
let calls = 0;

/**
 * One call to qBittorrent's WebUI API: its status and body.
 * @param {'GET' | 'POST'} method
 * @param {string} path
 * @param {Record<string, string>} [form]
 * @returns {Promise<{ status: number | undefined, text: string }>}
 */
function call(method, path, form) {
  calls++;
  return new Promise((resolve, reject) => {
    const body = form === undefined ? undefined : new URLSearchParams(form).toString();
    const outgoing = request(
      new URL(`/api/v2/${path}`, qbittorrent),
      {
        method,
        agent,
        headers: {
          cookie,
          ...(body === undefined
            ? {}
            : {
                'content-type': 'application/x-www-form-urlencoded',
                'content-length': Buffer.byteLength(body),
              }),
        },
      },
      (answer) => {
        let text = '';
        answer.setEncoding('utf8');
        answer.on('data', (chunk) => (text += chunk));
        answer.on('end', () => resolve({ status: answer.statusCode, text }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** @param {string | null} hash */
async function listed(hash) {
  for (const wait of [0, ...WAITS_MS]) {
    if (wait > 0) await sleep(wait);
    const { text } = await call('GET', `torrents/info?hashes=${hash}`);
    if (text.length > 2) return true;
  }
  return false;
}

class DownloadController {
  /** @param {{ url: string }} body */
  async create(body) {
    const hash = /btih:([0-9a-f]{40})/i.exec(body.url)?.[1]?.toLowerCase() ?? null;
    const { status } = await call('POST', 'torrents/add', { urls: body.url });
    if (status !== 200) return { status: 'error', hash, error: `HTTP ${status}` };
    if (confirm === '1' && !(await listed(hash)))
      return { status: 'error', hash, error: 'not listed' };
    return { status: 'accepted', hash, error: null };
  }

  calls() {
    return { calls };
  }
}
const descriptor = (/** @type {string} */ name) =>
  /** @type {PropertyDescriptor} */ (
    Object.getOwnPropertyDescriptor(DownloadController.prototype, name)
  );
const create = descriptor('create');
Post('download')(DownloadController.prototype, 'create', create);
HttpCode(201)(DownloadController.prototype, 'create', create);
Body()(DownloadController.prototype, 'create', 0);
const count = descriptor('calls');
Get('calls')(DownloadController.prototype, 'calls', count);
Controller()(DownloadController);

class AppModule {}
Module({ controllers: [DownloadController] })(AppModule);

const app = await NestFactory.create(AppModule, { logger: false });
await app.listen(Number(port), '127.0.0.1');
