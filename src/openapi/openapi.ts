import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { API_TOKEN_SCHEME } from './openapi.constants.js';

/** The version in the package.json above this file, wherever the build put it. */
function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file))
      return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    if (dirname(dir) === dir) return 'unknown';
  }
}

/** The OpenAPI document of every route, built from the controllers' and DTOs' decorators. */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('downloader-qbittorrent')
    .setDescription(
      'Takes magnet links over REST and drives qBittorrent (4.x to 5.3+) through its WebUI API. ' +
        'With API_TOKEN set, every endpoint but the health checks wants `Authorization: Bearer <API_TOKEN>`.',
    )
    .setVersion(packageVersion())
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API_TOKEN' }, API_TOKEN_SCHEME)
    .build();
  return SwaggerModule.createDocument(app, config);
}

/**
 * Serves the document at /openapi.json and Swagger UI at /docs. Both describe the API and hold no
 * data, so they are open like the health checks: a browser cannot send a bearer token to load a page.
 */
export function setupOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => createOpenApiDocument(app), {
    jsonDocumentUrl: 'openapi.json',
    raw: ['json'],
  });
}
