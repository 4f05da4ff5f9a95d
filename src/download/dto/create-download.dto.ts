import { IsDefined, IsString } from 'class-validator';
import { IsPositiveSafeInteger } from '../../common/validators.js';
import { AddOptionsDto } from './add-options.dto.js';

/** The body of POST /download. Fields not listed here are dropped by the ValidationPipe. */
export class CreateDownloadDto extends AddOptionsDto {
  /** The core service's id of the RSS item this download comes from; recorded as the tag `link:<id>`. */
  @IsDefined({ message: 'link_id is required' })
  @IsPositiveSafeInteger()
  link_id!: number;

  /** A magnet link; checked in full by parseMagnet. */
  @IsDefined({ message: 'url is required' })
  @IsString({ message: 'url must be a string' })
  url!: string;
}
