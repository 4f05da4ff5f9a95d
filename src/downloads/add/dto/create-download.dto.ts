import { ApiProperty } from '../../../openapi/swagger-decorators.js';
import { IsDefined } from 'class-validator';
import { IsPositiveSafeInteger } from '../../../common/validators.js';
import type { DownloadLink } from '../download-link.js';
import { AddOptionsDto } from './add-options.dto.js';
import { DownloadLinkField } from './download-link.field.js';

/** The body of POST /download. Fields not listed here are dropped by the ValidationPipe. */
export class CreateDownloadDto extends AddOptionsDto {
  @ApiProperty({
    description:
      "The core service's id of the RSS item; recorded on the torrent as the tag `link:<id>`",
    example: 123,
    minimum: 1,
    maximum: Number.MAX_SAFE_INTEGER,
  })
  @IsDefined({ message: 'link_id is required' })
  @IsPositiveSafeInteger()
  link_id!: number;

  @DownloadLinkField('magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a&dn=anime')
  url!: DownloadLink;
}
