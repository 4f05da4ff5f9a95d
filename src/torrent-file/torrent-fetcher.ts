import { isAxiosTimeout } from './axios-errors.js';
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { LookupFunction } from 'node:net';
import { HttpService } from '@nestjs/axios';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AxiosError } from 'axios';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import type { AppConfig, TorrentFetchConfig } from '../config/app.config.js';
import { forbiddenAddressReason, ipLiteralOf } from './address-policy.js';
import { InvalidTorrentFileError, TorrentFetchError } from './torrent-file.errors.js';
import { parseTorrentFile, type TorrentMetainfo } from './torrent-file.js';

/** Tracker sites redirect once or twice (to a CDN, http to https); more is a loop or a trap. */
export const MAX_REDIRECTS = 5;

/** Where a .torrent link points, safe to log and to answer: no query string (passkeys live there). */
export function describeTorrentUrl(url: URL): string {
  const location = `${url.protocol}//${url.host}${url.pathname}`;
  return location.length > 200 ? `${location.slice(0, 200)}…` : location;
}

/**
 * Fetches .torrent files for qBittorrent, refusing by default any address that is not global
 * unicast: a link must not make this service call qBittorrent's own WebUI, the private network or
 * a cloud metadata endpoint. The check is made on the address actually connected to (so a DNS
 * answer that changes between check and use cannot slip through) and on every redirect.
 */
@Injectable()
export class TorrentFetcher implements OnApplicationShutdown {
  private readonly options: TorrentFetchConfig;
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;

  constructor(
    private readonly http: HttpService,
    config: ConfigService<AppConfig, true>,
  ) {
    this.options = config.get('torrentFetch', { infer: true });
    if (this.options.proxy !== null) {
      // The proxy resolves the names: only the pre-check of fetch() and literal addresses apply.
      this.httpAgent = new HttpProxyAgent(this.options.proxy);
      this.httpsAgent = new HttpsProxyAgent(this.options.proxy);
    } else {
      const lookup = this.options.allowPrivate ? undefined : guardedLookup;
      this.httpAgent = new HttpAgent({ lookup });
      this.httpsAgent = new HttpsAgent({ lookup });
    }
  }

  onApplicationShutdown(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /**
   * Downloads and reads the .torrent file at `url`.
   * @throws TorrentFetchError, transient for timeouts, unreachable servers and 5xx/429 answers.
   */
  async fetch(url: URL): Promise<TorrentMetainfo> {
    const location = describeTorrentUrl(url);
    await this.checkTarget(url.hostname, location);
    let response;
    try {
      response = await this.http.axiosRef.get<ArrayBuffer>(url.href, {
        responseType: 'arraybuffer',
        maxContentLength: this.options.maxBytes,
        maxRedirects: MAX_REDIRECTS,
        beforeRedirect: (options: { hostname?: string; host?: string }) =>
          this.checkRedirect(options.hostname ?? options.host ?? '', location),
        signal: AbortSignal.timeout(this.options.timeoutMs),
        httpAgent: this.httpAgent,
        httpsAgent: this.httpsAgent,
        proxy: false,
        validateStatus: () => true,
        headers: {
          accept: 'application/x-bittorrent, application/octet-stream;q=0.9, */*;q=0.5',
          'user-agent': 'downloader-qbittorrent',
        },
      });
    } catch (error) {
      throw this.failure(error, location);
    }
    if (response.status < 200 || response.status > 299) {
      throw TorrentFetchError.httpStatus(location, response.status);
    }
    try {
      return parseTorrentFile(Buffer.from(response.data));
    } catch (error) {
      if (error instanceof InvalidTorrentFileError) {
        throw TorrentFetchError.notATorrent(location, error.message);
      }
      throw error;
    }
  }

  /** Before connecting: a literal address, and (through a proxy, which resolves for us) a name. */
  private async checkTarget(hostname: string, location: string): Promise<void> {
    if (this.options.allowPrivate) return;
    const literal = ipLiteralOf(hostname);
    const addresses = literal !== null ? [literal] : await this.resolveForProxy(hostname);
    for (const address of addresses) {
      const reason = forbiddenAddressReason(address);
      if (reason !== null) throw TorrentFetchError.forbiddenAddress(location, reason);
    }
  }

  private async resolveForProxy(hostname: string): Promise<string[]> {
    if (this.options.proxy === null) return []; // checked at connection time by guardedLookup
    try {
      return (await resolveAll(hostname)).map((entry) => entry.address);
    } catch {
      return []; // the proxy may resolve names this machine cannot
    }
  }

  private checkRedirect(hostname: string, location: string): void {
    if (this.options.allowPrivate) return;
    const literal = ipLiteralOf(hostname);
    const reason = literal === null ? null : forbiddenAddressReason(literal);
    if (reason !== null)
      throw TorrentFetchError.forbiddenAddress(location, `a redirect to ${reason}`);
  }

  private failure(error: unknown, location: string): Error {
    const own = ownCause(error);
    if (own) return own;
    if (isAxiosTimeout(error)) return TorrentFetchError.timeout(location, this.options.timeoutMs);
    if (error instanceof AxiosError) {
      if (error.message.startsWith('maxContentLength size')) {
        return TorrentFetchError.tooLarge(location, this.options.maxBytes);
      }
      if (error.code === 'ERR_FR_TOO_MANY_REDIRECTS') {
        return TorrentFetchError.tooManyRedirects(location, MAX_REDIRECTS);
      }
      return TorrentFetchError.unreachable(location, error.code ?? 'no answer');
    }
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** A DNS lookup for the agents that fails when any address of the name is not global unicast. */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  resolveAll(hostname, options.family).then(
    (addresses) => {
      for (const { address } of addresses) {
        const reason = forbiddenAddressReason(address);
        if (reason !== null) {
          const location = `the host ${hostname}`;
          callback(TorrentFetchError.forbiddenAddress(location, reason), '', 0);
          return;
        }
      }
      if (options.all) {
        (callback as unknown as (error: null, all: LookupAddress[]) => void)(null, addresses);
      } else {
        callback(null, addresses[0].address, addresses[0].family);
      }
    },
    (error: NodeJS.ErrnoException) => callback(error, '', 0),
  );
};

function resolveAll(hostname: string, family?: number | string): Promise<LookupAddress[]> {
  const options: LookupAllOptions = { all: true };
  if (family === 4 || family === 6) options.family = family;
  return new Promise((resolve, reject) =>
    dnsLookup(hostname, options, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    ),
  );
}

/** Our own error, when axios or follow-redirects wrapped it (a refused address, a refused redirect). */
function ownCause(error: unknown): TorrentFetchError | undefined {
  let cause: unknown = error;
  for (let depth = 0; depth < 5 && cause instanceof Error; depth++) {
    if (cause instanceof TorrentFetchError) return cause;
    cause = cause.cause;
  }
  return undefined;
}
