import { jest } from '@jest/globals';
import { MetricsService } from '../../../metrics/metrics.service.js';
import type { TorrentFetcher } from '../../../torrent-file/torrent-fetcher.js';
import { DownloadOutcomeRecorder } from '../download-outcome.recorder.js';

/** A TorrentFetcher whose `fetch` is a jest mock. */
export function newTorrentFetcherMock() {
  const mock = { fetch: jest.fn<TorrentFetcher['fetch']>() };
  return mock as typeof mock & TorrentFetcher;
}

/** The real recorder over metrics of its own: `metrics.registry` tells what it counted. */
export function newOutcomeRecorder(metrics = new MetricsService()) {
  return { recorder: new DownloadOutcomeRecorder(metrics), metrics };
}

/** What a counter of `metrics` holds for each label value, e.g. downloads by outcome. */
export async function counted(
  metrics: MetricsService,
  name: string,
): Promise<Record<string, number>> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  return Object.fromEntries(
    (metric?.values ?? [])
      .filter((value) => value.value > 0)
      .map((value) => [Object.values(value.labels).join(','), value.value]),
  );
}
