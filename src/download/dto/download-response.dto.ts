export type DownloadStatus = 'accepted' | 'unsupported' | 'error';

/** Every answer of POST /download has exactly these three fields. */
export class DownloadResponseDto {
  status!: DownloadStatus;
  /** The torrent id qBittorrent uses, on success. */
  hash!: string | null;
  /** What went wrong, otherwise. */
  error!: string | null;

  static accepted(hash: string): DownloadResponseDto {
    return { status: 'accepted', hash, error: null };
  }

  static refused(httpStatus: number, error: string): DownloadResponseDto {
    return { status: httpStatus < 500 ? 'unsupported' : 'error', hash: null, error };
  }
}
