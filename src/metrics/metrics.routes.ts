/** The route of the metrics feature: its controller and the monitoring set of IdleHeapRelease read it. */
export const METRICS_ROUTE = '/metrics';
