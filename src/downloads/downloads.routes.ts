import { MAX_BATCH_BODY_BYTES } from './downloads.limits.js';

/**
 * Every route of the downloads feature, in one place: its controllers declare them from here, and
 * so does everything outside them that must know one (the body limits, the add counter, the
 * capabilities registered with the core). A new route is added here once.
 */
export const DOWNLOADS_ROUTES = {
  /** POST: one link, the Rust service's route. */
  single: '/download',
  /** POST: a batch of links; GET: statuses. */
  batch: '/downloads',
  /** POST: remove many, keeping their files. */
  cancel: '/downloads/cancel',
  pause: '/downloads/:hash/pause',
  resume: '/downloads/:hash/resume',
  /** DELETE: one torrent. */
  one: '/downloads/:hash',
} as const;

/** The routes whose POST adds torrents (IncomingAdds counts them). */
export const ADD_ROUTES: readonly string[] = [DOWNLOADS_ROUTES.single, DOWNLOADS_ROUTES.batch];

/** The routes that take bodies above the default limit (a batch, a cancel of thousands), with it. */
export const LARGE_BODY_ROUTES = {
  paths: [DOWNLOADS_ROUTES.batch, DOWNLOADS_ROUTES.cancel],
  limit: MAX_BATCH_BODY_BYTES,
};
