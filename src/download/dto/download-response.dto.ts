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

  /** `unsupported` for a request we will not send (400, 413); `error` for anything else. */
  static refused(httpStatus: number, error: string): DownloadResponseDto {
    const unsupported = httpStatus === 400 || httpStatus === 413;
    return { status: unsupported ? 'unsupported' : 'error', hash: null, error };
  }
}
