import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Injectable } from '@nestjs/common';
import { ADD_ROUTES } from '../downloads.routes.js';

/**
 * How many add requests (POST /download, POST /downloads) the HTTP server holds: counted from the
 * moment it has their headers until they are answered. Concurrent adds wait a moment for each
 * other to share the look that confirms them (TorrentWatch): this tells whether others are coming.
 */
@Injectable()
export class IncomingAdds {
  private readonly routes = new Set(ADD_ROUTES);
  private count = 0;
  private readonly listeners: (() => void)[] = [];

  get inProgress(): number {
    return this.count;
  }

  /** Calls `listener` whenever an add request has been answered. */
  onAnswered(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Counts the add requests `server` receives, before any other listener sees them. */
  countOn(server: Server): void {
    server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
      if (request.method !== 'POST' || !this.routes.has((request.url ?? '').split('?', 1)[0]))
        return;
      this.count++;
      response.once('close', () => {
        this.count--;
        for (const listener of this.listeners) listener();
      });
    });
  }
}
