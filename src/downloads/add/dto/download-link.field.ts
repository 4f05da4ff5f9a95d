import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '../../../openapi/swagger-decorators.js';
import { Transform } from 'class-transformer';
import { IsDefined, ValidateBy } from 'class-validator';
import { MAX_MAGNET_BYTES } from '../../../qbittorrent/identity/magnet.js';
import { type DownloadLink, parseDownloadLink } from '../download-link.js';

/** A `url` that could not be read as a link, kept for the validator to report. */
class UnreadableLink {
  constructor(readonly reason: string) {}
}

function readLink(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return parseDownloadLink(value);
  } catch (error) {
    return new UnreadableLink(error instanceof Error ? error.message : String(error));
  }
}

function isLink(value: unknown): value is DownloadLink {
  return typeof value === 'object' && value !== null && 'kind' in value;
}

/**
 * The `url` of a download, read once where the request comes in: the transform turns the string
 * into a typed DownloadLink (a magnet with its torrent id, or a .torrent URL), and validation
 * refuses it with the parser's own reason. Everything after works on the typed link.
 */
export function DownloadLinkField(example: string): PropertyDecorator {
  return applyDecorators(
    ApiProperty({
      type: String,
      description: `A magnet link (btih hex or base32, btmh, or hybrid) or an http(s) URL of a .torrent file; at most ${MAX_MAGNET_BYTES} bytes, no control characters`,
      example,
      maxLength: MAX_MAGNET_BYTES,
    }),
    Transform(({ value }) => readLink(value)),
    IsDefined({ message: 'url is required' }),
    ValidateBy({
      name: 'isDownloadLink',
      validator: {
        validate: isLink,
        defaultMessage: (args) =>
          args?.value instanceof UnreadableLink ? args.value.reason : 'url must be a string',
      },
    }),
  );
}
