// The container's HEALTHCHECK (`node dist/health/healthcheck.js`): exit 0 when GET /health answers
// 200 where the service listens, 1 otherwise. A script of its own that loads nothing of Nest, so
// that each probe is one small process; it reads the environment only (not a .env file).
import { livenessUrl } from './liveness-url.js';

const PROBE_TIMEOUT_MS = 5000;

try {
  const response = await fetch(livenessUrl(process.env), {
    signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
  });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
