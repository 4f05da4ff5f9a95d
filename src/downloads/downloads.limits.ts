/** Items of one POST /downloads. The core sends every failed link again in one batch. */
export const MAX_BATCH_ITEMS = 10_000;

/** Body of POST /downloads: room for the largest batch of ordinary links (a few hundred bytes each). */
export const MAX_BATCH_BODY_BYTES = 8 * 1024 * 1024;

/** Hashes of one POST /downloads/cancel. */
export const MAX_CANCEL_HASHES = 10_000;

/** Hashes named in one call to qBittorrent: it answers 1000 in about 0.2 s. */
export const HASHES_PER_QBITTORRENT_CALL = 1000;

/**
 * A batch answers within this, whatever happens: the core gives up on it after 30 s and counts
 * every link of it failed. Items not finished by then are answered failed, with the reason.
 */
export const BATCH_DEADLINE_MS = 20_000;
