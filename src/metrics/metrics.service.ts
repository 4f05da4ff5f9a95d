import { Injectable } from '@nestjs/common';
import {
  collectDefaultMetrics,
  Counter,
  type CounterConfiguration,
  Gauge,
  type GaugeConfiguration,
  Histogram,
  type HistogramConfiguration,
  Registry,
} from 'prom-client';

/**
 * The service's Prometheus registry, its own rather than prom-client's global one, so that an
 * application instance counts only what it did. Each feature declares its metrics here, beside the
 * code that counts (`downloads` in DownloadOutcomeRecorder, qBittorrent calls in QbittorrentMetrics,
 * HTTP requests in HttpMetrics); /metrics serves them all.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly scrapeListeners: (() => void)[] = [];

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Calls `listener` once, when /metrics is first scraped: what only monitoring needs starts then. */
  onFirstScrape(listener: () => void): void {
    this.scrapeListeners.push(listener);
  }

  /** The exposition of every metric; the first call wakes what waited for a scrape. */
  async scrape(): Promise<string> {
    for (const listener of this.scrapeListeners.splice(0)) listener();
    return this.registry.metrics();
  }

  counter<T extends string>(configuration: CounterConfiguration<T>): Counter<T> {
    return new Counter({ ...configuration, registers: [this.registry] });
  }

  gauge<T extends string>(configuration: GaugeConfiguration<T>): Gauge<T> {
    return new Gauge({ ...configuration, registers: [this.registry] });
  }

  histogram<T extends string>(configuration: HistogramConfiguration<T>): Histogram<T> {
    return new Histogram({ ...configuration, registers: [this.registry] });
  }
}
