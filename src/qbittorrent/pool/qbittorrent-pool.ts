import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../../config/app.config.js';
import { QbittorrentInstance, QbittorrentInstanceFactory } from '../qbittorrent-instance.js';
import { NoRoomError } from '../qbittorrent.errors.js';
import { QbittorrentMetrics } from '../qbittorrent.metrics.js';
import { InstanceMonitor } from './instance-monitor.js';
import { placeTorrent } from './placement.js';

/**
 * Every qBittorrent the service drives (QBITTORRENT_URL), each with its own session, dialect,
 * settings and health, and the one place that decides which of them to use. With one, it is always
 * that one, and nothing runs in the background: calls and answers are those of a single
 * qBittorrent. With several, each is kept in view in the background (InstanceMonitor) so that a new
 * torrent goes where there is room (placement.ts), a down one is skipped, and who holds what is
 * known from what they list.
 */
@Injectable()
export class QbittorrentPool implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly instances: readonly QbittorrentInstance[];
  private readonly byLabel: ReadonlyMap<string, QbittorrentInstance>;
  private readonly monitors: InstanceMonitor[];
  private readonly logger = new Logger('Qbittorrent');

  constructor(
    factory: QbittorrentInstanceFactory,
    config: ConfigService<AppConfig, true>,
    metrics: QbittorrentMetrics,
  ) {
    this.instances = config
      .get('qbittorrent', { infer: true })
      .instances.map((instance) => factory.create(instance));
    this.byLabel = new Map(this.instances.map((instance) => [instance.label, instance]));
    this.monitors = this.single
      ? []
      : this.instances.map((instance) => new InstanceMonitor(instance, this.logger));
    metrics.observeInstances(this.instances, !this.single);
  }

  /** Whether the service drives one qBittorrent: no placement, no background reads. */
  get single(): boolean {
    return this.instances.length === 1;
  }

  /** The only qBittorrent, when there is one. */
  get only(): QbittorrentInstance {
    return this.instances[0];
  }

  get(label: string): QbittorrentInstance | undefined {
    return this.byLabel.get(label);
  }

  /** The instances to ask: all but those known down (with one, always that one). */
  available(): QbittorrentInstance[] {
    return this.single ? [this.only] : this.instances.filter((i) => !i.health.isDown);
  }

  /** The instances known to hold `hash` (what they listed, and our adds), down ones included. */
  holders(hash: string): QbittorrentInstance[] {
    return this.single ? [] : this.instances.filter((instance) => instance.view.holds(hash));
  }

  /**
   * Where a new torrent of `size` bytes (0: a magnet, size unknown) goes, best first, among the
   * available instances; throws NoRoomError when its size is known and it fits on none.
   */
  candidatesFor(torrent: { hash: string; size: number }): QbittorrentInstance[] {
    if (this.single) return [this.only];
    const available = this.available();
    if (available.length === 0) return [];
    const placement = placeTorrent(
      torrent,
      available.map(({ label, view }) => ({
        label,
        room: view.room,
        incomplete: view.incomplete,
      })),
    );
    if (!placement.fits) throw new NoRoomError(torrent.hash, torrent.size, placement.rooms);
    return placement.order.map((label) => this.byLabel.get(label) as QbittorrentInstance);
  }

  onApplicationBootstrap(): void {
    for (const monitor of this.monitors) monitor.start();
  }

  /** After the HTTP server has finished the requests in flight, which may still use them. */
  onApplicationShutdown(): void {
    for (const monitor of this.monitors) monitor.stop();
    for (const instance of this.instances) instance.close();
  }
}
