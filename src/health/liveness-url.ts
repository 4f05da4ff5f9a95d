import { HEALTH_ROUTES } from './health.routes.js';

/**
 * The URL of the liveness endpoint of a service configured by `env`, as the service reads it
 * (PORT, then SERVICE_PORT; BIND_ADDRESS). A wildcard address is reached on loopback; a specific
 * one only on itself.
 */
export function livenessUrl(env: NodeJS.ProcessEnv): string {
  const port = env.PORT || env.SERVICE_PORT || '8002';
  const bind = env.BIND_ADDRESS || '0.0.0.0';
  const host = bind === '0.0.0.0' ? '127.0.0.1' : bind === '::' ? '::1' : bind;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}${HEALTH_ROUTES.liveness}`;
}
