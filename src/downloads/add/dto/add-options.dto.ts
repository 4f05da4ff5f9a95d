import { ApiPropertyOptional } from '../../../openapi/swagger-decorators.js';
import { IsBoolean, IsOptional } from 'class-validator';
import { IsCategoryName, IsSavePath, IsTagList } from '../../../common/validators.js';
import type { AddOptions } from '../../../qbittorrent/wire/qbittorrent.types.js';

/** Where and how qBittorrent files a new torrent; every field optional. */
export class AddOptionsDto {
  @ApiPropertyOptional({
    description: 'Folder to save into, as qBittorrent sees it; its default folder otherwise',
    example: '/downloads/Show',
    maxLength: 4096,
  })
  @IsOptional()
  @IsSavePath()
  save_path?: string;

  @ApiPropertyOptional({
    description:
      'qBittorrent category, created if missing (no `\\`, no leading/trailing `/`, no `//`)',
    example: 'bangumi',
    maxLength: 255,
  })
  @IsOptional()
  @IsCategoryName()
  category?: string;

  @ApiPropertyOptional({
    description: 'Tags (no commas, no surrounding spaces)',
    example: ['s01'],
    type: [String],
    maxItems: 32,
  })
  @IsOptional()
  @IsTagList()
  tags?: string[];

  @ApiPropertyOptional({
    description: "Add it stopped; by default it starts, whatever qBittorrent's own default",
    example: false,
  })
  @IsOptional()
  @IsBoolean({ message: 'paused must be true or false' })
  paused?: boolean;

  toOptions(): AddOptions {
    return {
      savePath: this.save_path,
      category: this.category,
      tags: this.tags,
      paused: this.paused,
    };
  }
}
