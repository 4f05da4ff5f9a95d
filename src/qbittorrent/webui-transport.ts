import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { HttpService } from '@nestjs/axios';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AxiosError, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { isAxiosTimeout } from '../common/axios-errors.js';
import type { AppConfig, QbittorrentConfig } from '../config/app.config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { WebuiResponse } from './dialect.js';
import { QbittorrentTimeoutError, QbittorrentUnavailableError } from './qbittorrent.errors.js';

/** One call's method and body. */
export interface WebuiCall {
  method?: 'GET' | 'POST';
  query?: Record<string, string>;
  form?: Record<string, string>;
  /** A multipart body (file uploads); axios sets its content type with the boundary. */
  multipart?: () => FormData;
}

const MAX_SOCKETS = 32;
/** Below the 7 s qBittorrent keeps an idle connection, so we never reuse one it is closing. */
const IDLE_SOCKET_TIMEOUT_MS = 5000;

/**
 * HTTP to qBittorrent's WebUI: kept-alive connections, one deadline per call
 * (`QBITTORRENT_TIMEOUT_MS`, waiting for a connection included), the duration of each call in the
 * metrics, and transport failures as the client's errors. It knows nothing of sessions.
 */
@Injectable()
export class WebuiTransport implements OnApplicationShutdown {
  private readonly options: QbittorrentConfig;
  private readonly httpAgent = new HttpAgent({
    keepAlive: true,
    maxSockets: MAX_SOCKETS,
    timeout: IDLE_SOCKET_TIMEOUT_MS,
  });
  private readonly httpsAgent = new HttpsAgent({
    keepAlive: true,
    maxSockets: MAX_SOCKETS,
    timeout: IDLE_SOCKET_TIMEOUT_MS,
  });

  constructor(
    private readonly http: HttpService,
    config: ConfigService<AppConfig, true>,
    private readonly metrics: MetricsService,
  ) {
    this.options = config.get('qbittorrent', { infer: true });
  }

  /** The WebUI address. */
  get baseUrl(): string {
    return this.options.url;
  }

  /** After the HTTP server has finished the requests in flight, which may still be using them. */
  onApplicationShutdown(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** One call to `/api/v2/<path>`, sending `cookie` if given; any HTTP status is an answer. */
  async send(path: string, call: WebuiCall, cookie?: string): Promise<WebuiResponse> {
    // No gzip: qBittorrent compresses every answer over a few bytes when asked (axios asks by
    // default), which cost a millisecond a call on both sides for a 1-torrent answer; qBittorrent
    // runs on this machine or its LAN, often on a small NAS CPU, where bytes are cheaper than CPU.
    const headers: Record<string, string> = { 'accept-encoding': 'identity' };
    if (cookie !== undefined) headers.cookie = cookie;
    const config: AxiosRequestConfig<string | FormData> = {
      baseURL: `${this.options.url}/api/v2/`,
      url: path,
      method: call.method ?? 'GET',
      params: call.query,
      headers,
      // One deadline for the whole call, including the wait for a free connection.
      signal: AbortSignal.timeout(this.options.timeoutMs),
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      proxy: false,
      maxRedirects: 0,
      responseType: 'text',
      transformResponse: (data: unknown) => data,
      validateStatus: () => true,
    };
    if (call.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      config.data = new URLSearchParams(call.form).toString();
    } else if (call.multipart !== undefined) {
      config.data = call.multipart();
    }
    let response: AxiosResponse<unknown>;
    const started = performance.now();
    try {
      // axiosRef rather than the Observable API: per call, the latter adds a CancelToken whose
      // cancellation on completion builds an error with a stack trace (2-3% of CPU under load).
      response = await this.http.axiosRef.request<unknown>(config);
    } catch (error) {
      this.observe(path, 'error', started);
      throw this.transportError(path, error);
    }
    this.observe(path, String(response.status), started);
    const setCookie = response.headers['set-cookie'];
    return {
      status: response.status,
      body: typeof response.data === 'string' ? response.data : '',
      setCookie: Array.isArray(setCookie) ? setCookie : [],
    };
  }

  private observe(operation: string, status: string, started: number): void {
    this.metrics.qbittorrentRequests.observe(
      { operation, status },
      (performance.now() - started) / 1000,
    );
  }

  private transportError(path: string, error: unknown): Error {
    if (isAxiosTimeout(error)) return new QbittorrentTimeoutError(path, this.options.timeoutMs);
    if (error instanceof AxiosError) {
      // For network failures axios keeps the system error code: ECONNREFUSED, ECONNRESET...
      return new QbittorrentUnavailableError(this.options.url, error.code ?? 'no answer');
    }
    // Not an error of the call (a bug of ours): keep it as it is rather than disguise it.
    return error instanceof Error ? error : new Error(String(error));
  }
}
