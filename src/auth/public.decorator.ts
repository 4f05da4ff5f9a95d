import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '../openapi/swagger-decorators.js';
import { PUBLIC_EXTENSION } from '../openapi/openapi.constants.js';

export const IS_PUBLIC = 'downloader:public';

/**
 * Marks a controller or route that answers without the API token (the health checks). Every other
 * route wants it, and the OpenAPI document says so of each (openapi.ts).
 */
export const Public = () =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), ApiExtension(PUBLIC_EXTENSION, true));
