import { Injectable, Logger } from '@nestjs/common';
import { QbittorrentPool } from '../../qbittorrent/pool/qbittorrent-pool.js';
import { UnconfirmedAddError } from '../downloads.errors.js';
import { linkTag } from '../link-tag.js';
import { type SentAdd, TorrentRepository } from '../torrents/torrent.repository.js';
import type { AddRequest, Confirmed } from './add-item.js';

/**
 * The second stage of an add: the torrent looked for in the list of the instance that took it, as
 * soon as its add is answered, in a look shared with every add waiting on that instance. qBittorrent
 * can answer `Ok.` to an add it never performs (seen after days of uptime on 5.1 and 5.2): one
 * still missing is added again once, and fails if it is still not there.
 */
@Injectable()
export class AddConfirmation {
  private readonly logger = new Logger('Downloads');

  constructor(
    private readonly torrents: TorrentRepository,
    private readonly pool: QbittorrentPool,
  ) {}

  /** Confirms `sent`; `again` sends the same add once more. */
  async confirm(
    request: AddRequest,
    sent: SentAdd,
    again: () => Promise<SentAdd>,
    signal?: AbortSignal,
  ): Promise<Confirmed> {
    const first = await this.look(sent);
    if (first !== null) return this.held(request, sent, first, signal);
    if (sent.answer !== 'added') throw failureOf(sent);
    this.logger.warn(
      `${this.pool.nameOf(sent.label)} does not list torrent ${sent.hash} it said it added: adding it again`,
    );
    const resent = await again();
    const second = await this.look(resent);
    if (second !== null) return this.held(request, resent, second, signal);
    throw resent.answer === 'added' ? new UnconfirmedAddError(resent.hash) : failureOf(resent);
  }

  /** When the instance was seen listing the torrent (performance.now()); null if it does not. */
  private async look(sent: SentAdd): Promise<number | null> {
    let listed: Set<string>;
    try {
      listed = await this.torrents.listed(sent.label, [sent.hash]);
    } catch (error) {
      // It took the add (or may have) and cannot be asked now: it may hold the torrent.
      throw sent.answer === 'unanswered' ? sent.failure : this.pool.inDoubt(sent.label, error);
    }
    return listed.has(sent.hash) ? performance.now() : null;
  }

  /**
   * A torrent its instance lists. One it held before the add has ignored the add's options: the
   * link is tagged apart. A qBittorrent that ignores tags on an add (before WebAPI 2.6.2) gets them
   * now: `torrents/addTags` on a torrent it does not list yet does nothing.
   */
  private async held(
    request: AddRequest,
    sent: SentAdd,
    listedAt: number,
    signal?: AbortSignal,
  ): Promise<Confirmed> {
    const { label, hash } = sent;
    const alreadyPresent = sent.answer === 'refused';
    if (sent.answer === 'added' && sent.tagsLater !== undefined) {
      await this.tag(label, hash, sent.tagsLater, signal);
    }
    if (alreadyPresent) {
      this.pool.held(label, [hash]);
      if (request.linkId !== undefined) {
        await this.tag(label, hash, [linkTag(request.linkId)], signal);
      }
    }
    return { label, hash, alreadyPresent, listedAt };
  }

  /** Tags a torrent its instance lists; one that stops answering now may hold it once it is back. */
  private async tag(label: string, hash: string, tags: string[], signal?: AbortSignal) {
    try {
      await this.torrents.addTags(label, hash, tags, signal);
    } catch (error) {
      throw this.pool.inDoubt(label, error);
    }
  }
}

/** Why an add its instance does not list failed: what it answered, or that it did not answer. */
function failureOf(sent: SentAdd): Error {
  if (sent.answer === 'refused') return sent.refusal;
  if (sent.answer === 'unanswered') return sent.failure;
  return new UnconfirmedAddError(sent.hash);
}
