import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { INestApplication } from '@nestjs/common';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import type { OpenAPIObject, OperationObject, ResponseObject } from '@nestjs/swagger';
import type { Application, NextFunction, Request, RequestHandler, Response } from 'express';
import { RequestBodyError } from '../common/common.errors.js';
import { ErrorResponseDto } from './error-response.dto.js';
import {
  API_TOKEN_SCHEME,
  DOCS_ROUTES,
  isDocsPath,
  PUBLIC_EXTENSION,
} from './openapi.constants.js';
import { loadSwagger } from './swagger-decorators.js';

/** The version in the package.json above this file, wherever the build put it. */
function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file))
      return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    if (dirname(dir) === dir) return 'unknown';
  }
}

/** What every route not @Public() answers without saying so: the API token's refusal. */
export interface CommonAnswers {
  /** The message of a 401: no bearer token, or another one. */
  tokenRefused: string;
}

/** The OpenAPI document of every route, built from the controllers' and DTOs' decorators. */
export async function createOpenApiDocument(
  app: INestApplication,
  answers: CommonAnswers,
): Promise<OpenAPIObject> {
  const { DocumentBuilder, SwaggerModule } = await loadSwagger();
  const config = new DocumentBuilder()
    .setTitle('downloader-qbittorrent')
    .setDescription(
      'Takes magnet links over REST and drives qBittorrent (4.2.5 to 5.3.0) through its WebUI API. ' +
        'With API_TOKEN set, every endpoint but the health checks wants `Authorization: Bearer <API_TOKEN>`.',
    )
    .setVersion(packageVersion())
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API_TOKEN' }, API_TOKEN_SCHEME)
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorResponseDto] });
  documentCommonAnswers(document, answers);
  return document;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * What every route answers without saying so, written into the document: a route not @Public()
 * wants the API token (the bearer scheme and its 401), and a route that takes a body refuses one it
 * cannot read (400), both in the `{"error"}` shape unless the route documents its own. So a new
 * controller is documented as the guards and the exception filter treat it, with no decorator.
 */
function documentCommonAnswers(document: OpenAPIObject, answers: CommonAnswers): void {
  for (const operations of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = operations[method] as
        (OperationObject & Record<string, unknown>) | undefined;
      if (operation === undefined) continue;
      if (operation.requestBody !== undefined) {
        operation.responses['400'] ??= errorAnswer(
          'Bad request',
          RequestBodyError.notJson().message,
        );
      }
      if (operation[PUBLIC_EXTENSION] === true) {
        delete operation[PUBLIC_EXTENSION];
        continue;
      }
      operation.security ??= [{ [API_TOKEN_SCHEME]: [] }];
      operation.responses['401'] ??= errorAnswer(
        'With API_TOKEN set: no bearer token, or another one',
        answers.tokenRefused,
      );
    }
  }
}

function errorAnswer(description: string, example: string): ResponseObject {
  return {
    description,
    content: {
      'application/json': {
        schema: { $ref: '#/components/schemas/ErrorResponseDto' },
        example: { error: example },
      },
    },
  };
}

/**
 * Serves the document at /openapi.json and Swagger UI at /docs. Both describe the API and hold no
 * data, so they are open like the health checks: a browser cannot send a bearer token to load a page.
 *
 * @nestjs/swagger is loaded on the first request for either (see swagger-decorators.ts), into an
 * Express application of its own: routes added to the service's own application after start-up
 * would sit behind Nest's 404 handler.
 */
export function setupOpenApi(app: NestExpressApplication, answers: CommonAnswers): void {
  let docs: Promise<RequestHandler> | undefined;
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (!isDocsPath(request.path)) return next();
    // Express gives a request to another application the prototypes of that one: restore them
    // for whatever handles it after (a 404), as Express itself does for a mounted application.
    const requestPrototype = Object.getPrototypeOf(request) as object;
    const responsePrototype = Object.getPrototypeOf(response) as object;
    const done = (error?: unknown) => {
      Object.setPrototypeOf(request, requestPrototype);
      Object.setPrototypeOf(response, responsePrototype);
      next(error);
    };
    docs ??= docsApplication(app, answers).catch((error: unknown) => {
      docs = undefined; // the next request tries again
      throw error;
    });
    docs.then((serve) => serve(request, response, done)).catch(done);
  });
}

async function docsApplication(
  app: NestExpressApplication,
  answers: CommonAnswers,
): Promise<RequestHandler> {
  const { SwaggerModule } = await loadSwagger();
  const adapter = new ExpressAdapter();
  adapter.getInstance<Application>().disable('x-powered-by'); // as the service's own application
  // What SwaggerModule.setup uses of an application: its HTTP adapter and static assets.
  const host = {
    getHttpAdapter: () => adapter,
    useStaticAssets: (path: string, options: object): void => {
      adapter.useStaticAssets(path, options);
    },
  } as unknown as INestApplication;
  const document = await createOpenApiDocument(app, answers);
  SwaggerModule.setup(DOCS_ROUTES.ui.slice(1), host, document, {
    jsonDocumentUrl: DOCS_ROUTES.document.slice(1),
    raw: ['json'],
  });
  return adapter.getInstance<RequestHandler>();
}
