import { describe, expect, it } from '@jest/globals';
import { livenessUrl } from './liveness-url.js';

describe(livenessUrl.name, () => {
  it.each([
    [{}, 'http://127.0.0.1:8002/health'],
    [{ PORT: '9000' }, 'http://127.0.0.1:9000/health'],
    [{ SERVICE_PORT: '9001' }, 'http://127.0.0.1:9001/health'],
    [{ PORT: '9000', SERVICE_PORT: '9001' }, 'http://127.0.0.1:9000/health'],
    [{ BIND_ADDRESS: '0.0.0.0' }, 'http://127.0.0.1:8002/health'],
    [{ BIND_ADDRESS: '10.1.2.3' }, 'http://10.1.2.3:8002/health'],
    [{ BIND_ADDRESS: '::' }, 'http://[::1]:8002/health'],
    [{ BIND_ADDRESS: 'fd00::5', PORT: '80' }, 'http://[fd00::5]:80/health'],
  ])('%j -> %s', (env, url) => {
    expect(livenessUrl(env)).toBe(url);
  });
});
