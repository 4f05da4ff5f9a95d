import { Injectable, type PipeTransform } from '@nestjs/common';
import { InvalidRequestError } from '../common/invalid-request.error.js';
import { normalizeInfoHash } from '../qbittorrent/info-hash.js';

/** A `:hash` route parameter: 40 hex characters, returned lowercased. */
@Injectable()
export class ParseInfoHashPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    const hash = normalizeInfoHash(value);
    if (hash === null)
      throw new InvalidRequestError('hash must be an info-hash of 40 hex characters');
    return hash;
  }
}
