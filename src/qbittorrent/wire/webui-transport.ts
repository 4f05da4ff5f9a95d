import { Agent as HttpAgent, type ClientRequest, type IncomingMessage, request } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { WebuiResponse } from './dialect.js';
import type { QbittorrentInstanceConfig } from '../../config/qbittorrent-instances.js';
import {
  QbittorrentTimeoutError,
  QbittorrentTlsError,
  QbittorrentUnavailableError,
} from './qbittorrent.errors.js';
import type { QbittorrentMetrics } from './qbittorrent.metrics.js';

/** One call's method and body. */
export interface WebuiCall {
  method?: 'GET' | 'POST';
  query?: Record<string, string>;
  form?: Record<string, string>;
  /** A multipart body (file uploads), sent with its boundary. */
  multipart?: () => FormData;
}

const MAX_SOCKETS = 32;
/** Below the 7 s qBittorrent keeps an idle connection, so we never reuse one it is closing. */
const IDLE_SOCKET_TIMEOUT_MS = 5000;

/** A body ready to send: its bytes and content type. */
interface EncodedBody {
  bytes: Buffer;
  type: string;
}

/** The call's deadline passed before its answer was whole. */
class CallDeadline extends Error {}

/** A failure of a call whose request had been written whole: qBittorrent may have acted on it. */
class AfterSending extends Error {
  constructor(readonly failure: Error) {
    super(failure.message);
  }
}

/**
 * HTTP to qBittorrent's WebUI: kept-alive connections, one deadline per call
 * (`QBITTORRENT_TIMEOUT_MS`, waiting for a connection included), the duration of each call in the
 * metrics, and transport failures as the client's errors. It knows nothing of sessions.
 *
 * It speaks node:http itself rather than through axios (which the service uses for the outbound
 * calls that need its features: fetching .torrent files through a proxy, registering with the
 * core). Every add and poll makes these calls, and axios's config merging, header objects and
 * response streams were about a third of the service's CPU per add under load (measured with
 * `npm run bench`: bench/README.md), while qBittorrent needs none of them: no redirects, no
 * proxies, no JSON transforms.
 */
export class WebuiTransport {
  private readonly agent: HttpAgent;
  private readonly open: typeof request;
  /** Where every call goes: host, port and the path up to `/api/v2/`. */
  private readonly target: { protocol: string; hostname: string; port: string; path: string };

  constructor(
    private readonly options: Pick<QbittorrentInstanceConfig, 'url' | 'label' | 'timeoutMs'>,
    private readonly metrics: QbittorrentMetrics,
  ) {
    const api = new URL(`${this.options.url}/api/v2/`);
    this.target = {
      protocol: api.protocol,
      // node:http wants an IPv6 literal without its brackets.
      hostname: api.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: api.port,
      path: api.pathname,
    };
    const https = api.protocol === 'https:';
    const agentOptions = {
      keepAlive: true,
      maxSockets: MAX_SOCKETS,
      timeout: IDLE_SOCKET_TIMEOUT_MS,
    };
    this.agent = https ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    this.open = https ? httpsRequest : request;
  }

  /** The WebUI address. */
  get baseUrl(): string {
    return this.options.url;
  }

  /** Closes the kept-alive connections: after the requests in flight, which may still use them. */
  close(): void {
    this.agent.destroy();
  }

  /** One call to `/api/v2/<path>`, sending `cookie` if given; any HTTP status is an answer. */
  async send(path: string, call: WebuiCall, cookie?: string): Promise<WebuiResponse> {
    const started = performance.now();
    try {
      const body = await encodeBody(call);
      const response = await this.exchange(path, call, body, cookie);
      this.observe(path, String(response.status), started);
      return response;
    } catch (error) {
      this.observe(path, 'error', started);
      throw this.transportError(path, error);
    }
  }

  private exchange(
    path: string,
    call: WebuiCall,
    body: EncodedBody | undefined,
    cookie: string | undefined,
  ): Promise<WebuiResponse> {
    const query = call.query === undefined ? '' : `?${new URLSearchParams(call.query).toString()}`;
    // No gzip: qBittorrent compresses every answer over a few bytes when asked, which cost a
    // millisecond a call on both sides for a 1-torrent answer; qBittorrent runs on this machine or
    // its LAN, often on a small NAS CPU, where bytes are cheaper than CPU.
    const headers: Record<string, string | number> = { 'accept-encoding': 'identity' };
    if (cookie !== undefined) headers.cookie = cookie;
    if (body !== undefined) {
      headers['content-type'] = body.type;
      headers['content-length'] = body.bytes.length;
    }
    return new Promise((resolve, reject) => {
      let timedOut = false;
      let sent = false;
      // One deadline for the whole call, including the wait for a free connection.
      const deadline = setTimeout(() => {
        timedOut = true;
        outgoing.destroy();
      }, this.options.timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(deadline);
        const failure = timedOut ? new CallDeadline() : error;
        reject(sent ? new AfterSending(failure) : failure);
      };
      const outgoing: ClientRequest = this.open(
        {
          ...this.target,
          path: this.target.path + path + query,
          method: call.method ?? 'GET',
          agent: this.agent,
          headers,
        },
        (answer) => {
          readText(answer).then((text) => {
            clearTimeout(deadline);
            const setCookie = answer.headers['set-cookie'];
            resolve({ status: answer.statusCode ?? 0, body: text, setCookie: setCookie ?? [] });
          }, fail);
        },
      );
      outgoing.once('error', fail);
      outgoing.once('finish', () => (sent = true));
      outgoing.end(body?.bytes);
    });
  }

  private observe(operation: string, status: string, started: number): void {
    this.metrics.requests.observe(
      { qbittorrent: this.options.label, operation, status },
      (performance.now() - started) / 1000,
    );
  }

  private transportError(path: string, caught: unknown): Error {
    const sent = caught instanceof AfterSending;
    const error = caught instanceof AfterSending ? caught.failure : caught;
    if (error instanceof CallDeadline)
      return new QbittorrentTimeoutError(path, this.options.timeoutMs, sent);
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (typeof code === 'string' && QbittorrentTlsError.knows(code)) {
      return new QbittorrentTlsError(this.options.url, code);
    }
    // Network failures carry the system's code: ECONNREFUSED, ECONNRESET, ENOTFOUND...
    if (typeof code === 'string') {
      return new QbittorrentUnavailableError(this.options.url, code, sent);
    }
    // Not an error of the call (a bug of ours): keep it as it is rather than disguise it.
    return error instanceof Error ? error : new Error(String(error));
  }
}

async function encodeBody(call: WebuiCall): Promise<EncodedBody | undefined> {
  if (call.form !== undefined) {
    return {
      bytes: Buffer.from(new URLSearchParams(call.form).toString()),
      type: 'application/x-www-form-urlencoded',
    };
  }
  if (call.multipart === undefined) return undefined;
  // The platform's own multipart encoder (the one fetch uses): boundary and all.
  const encoded = new Response(call.multipart());
  return {
    bytes: Buffer.from(await encoded.arrayBuffer()),
    type: encoded.headers.get('content-type') ?? 'multipart/form-data',
  };
}

/** The answer's text, decompressed if a proxy in front of qBittorrent compressed it anyway. */
function readText(answer: IncomingMessage): Promise<string> {
  const decoder = decoderFor(answer.headers['content-encoding']);
  const stream = decoder === undefined ? answer : answer.pipe(decoder);
  if (decoder !== undefined) answer.once('error', (error) => decoder.destroy(error));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.once('error', reject);
  });
}

function decoderFor(encoding: string | undefined): Transform | undefined {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return undefined;
  }
}
