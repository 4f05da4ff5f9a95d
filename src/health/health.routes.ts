/**
 * The routes of the health feature: its controller, the liveness fast path, the container's
 * HEALTHCHECK and the monitoring set of IdleHeapRelease read them here.
 */
export const HEALTH_ROUTES = {
  /** GET: the process serves. */
  liveness: '/health',
  /** GET: qBittorrent answers and our session works. */
  readiness: '/health/ready',
} as const;
