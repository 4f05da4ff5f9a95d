import { json } from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { RequestBodyError } from './common.errors.js';

/** Largest request body accepted by default; a magnet link is at most 8 KiB. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Routes (exact paths) that take larger bodies, such as batches, with their limit. */
export interface LargeBodyRoutes {
  paths: string[];
  limit: number;
}

type RequestWithBodyError = Request & { bodyError?: RequestBodyError };

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Parses JSON bodies but, instead of answering a bad body itself (in Express's shape, before any
 * route runs), keeps the failure on the request for the route to raise in its own shape.
 */
export function jsonBodyParser(large?: LargeBodyRoutes): RequestHandler {
  const parse = json({ limit: MAX_BODY_BYTES, strict: true });
  const parseLarge = large && json({ limit: large.limit, strict: true });
  const largePaths = new Set(large?.paths ?? []);
  return (request: Request, response: Response, next: NextFunction) => {
    const isLarge = parseLarge !== undefined && largePaths.has(request.path);
    const limit = isLarge ? (large as LargeBodyRoutes).limit : MAX_BODY_BYTES;
    (isLarge ? parseLarge : parse)(request, response, (error?: unknown) => {
      const failure =
        error !== undefined
          ? toBodyError(error, limit)
          : (unsupportedContentType(request) ?? notAnObject(request));
      if (failure) {
        (request as RequestWithBodyError).bodyError = failure;
        request.body = undefined;
      }
      next();
    });
  };
}

export function bodyErrorOf(request: Request): RequestBodyError | undefined {
  return (request as RequestWithBodyError).bodyError;
}

function unsupportedContentType(request: Request): RequestBodyError | undefined {
  if (!METHODS_WITH_BODY.has(request.method)) return undefined;
  const hasBody =
    request.headers['transfer-encoding'] !== undefined ||
    Number(request.headers['content-length'] ?? 0) > 0;
  if (!hasBody || request.is('application/json')) return undefined;
  return RequestBodyError.notJsonContentType();
}

function notAnObject(request: Request): RequestBodyError | undefined {
  // Every endpoint takes a JSON object; an array would reach the DTOs as a list of them.
  if (!Array.isArray(request.body)) return undefined;
  return RequestBodyError.notAnObject();
}

function toBodyError(error: unknown, limit: number): RequestBodyError {
  const type = (error as { type?: unknown }).type;
  switch (type) {
    case 'entity.too.large':
      return RequestBodyError.tooLarge(limit);
    case 'entity.parse.failed':
      return RequestBodyError.notJson();
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return RequestBodyError.unsupportedEncoding();
    default:
      return RequestBodyError.unreadable();
  }
}
