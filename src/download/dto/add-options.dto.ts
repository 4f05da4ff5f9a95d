import { IsOptional } from 'class-validator';
import { IsCategoryName, IsSavePath, IsTagList } from '../../common/validators.js';
import type { AddMagnetOptions } from '../../qbittorrent/qbittorrent.types.js';

/** Where and how qBittorrent files a new torrent; every field optional. */
export class AddOptionsDto {
  /** Folder to save into, as qBittorrent sees it; its default folder otherwise. */
  @IsOptional()
  @IsSavePath()
  save_path?: string;

  /** qBittorrent category; created if it does not exist. */
  @IsOptional()
  @IsCategoryName()
  category?: string;

  @IsOptional()
  @IsTagList()
  tags?: string[];

  toOptions(): AddMagnetOptions {
    return { savePath: this.save_path, category: this.category, tags: this.tags };
  }
}
