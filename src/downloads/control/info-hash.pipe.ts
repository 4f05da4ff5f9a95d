import { Injectable, type PipeTransform } from '@nestjs/common';
import { torrentIdOf } from '../../qbittorrent/identity/info-hash.js';
import { invalidHashParameter } from '../downloads.errors.js';

/**
 * A `:hash` route parameter, read as every route reads a hash (40 hex, 32 base32 or 64 hex):
 * the id qBittorrent holds the torrent under.
 */
@Injectable()
export class ParseInfoHashPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    const hash = torrentIdOf(value);
    if (hash === null) throw invalidHashParameter();
    return hash;
  }
}
