import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const src = fileURLToPath(new URL('../../src', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/**
 * @nestjs/swagger costs about 12 MB resident for as long as the process runs, and only /docs and
 * /openapi.json need it: it is loaded on their first request (src/openapi/swagger-decorators.ts).
 * One import of it at start-up, from any file, would undo that without a test noticing otherwise.
 */
describe('libraries loaded on first use', () => {
  const files = sources(src).map((path) => ({
    name: relative(src, path),
    text: readFileSync(path, 'utf8'),
  }));

  it('imports @nestjs/swagger at start-up nowhere (types and the one dynamic import aside)', () => {
    const importers = files
      .filter(({ text }) => /^(import|export) (?!type )[^;]*from '@nestjs\/swagger'/m.test(text))
      .map(({ name }) => name);
    expect(importers).toEqual([]);
    const dynamic = files.filter(({ text }) => text.includes("import('@nestjs/swagger')"));
    expect(dynamic.map(({ name }) => name)).toEqual(['openapi/swagger-decorators.ts']);
  });

  it('uses no Terminus @HealthCheck(), whose swagger answers would load it at start-up', () => {
    // Readiness calls HealthCheckService itself (health.controller.ts): the decorator would add a
    // cache header, set there already, and load @nestjs/swagger unless told not to.
    const users = files.filter(({ text }) => /@HealthCheck\(/.test(text)).map(({ name }) => name);
    expect(users).toEqual([]);
  });
});
