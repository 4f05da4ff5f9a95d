import { createHash, timingSafeEqual } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import type { AppConfig } from '../config/app.config.js';
import { IS_PUBLIC } from './public.decorator.js';
import { UnauthorizedError } from './auth.errors.js';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * With API_TOKEN set, every route not marked @Public() wants `Authorization: Bearer <API_TOKEN>`.
 * Tokens are compared as SHA-256 digests with timingSafeEqual: constant time, whatever their lengths.
 */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  private readonly expected: Buffer | null;

  constructor(
    config: ConfigService<AppConfig, true>,
    private readonly reflector: Reflector,
  ) {
    const token = config.get('http', { infer: true }).apiToken;
    this.expected = token === null ? null : digest(token);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.expected === null) return true;
    if (
      this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
        context.getHandler(),
        context.getClass(),
      ])
    ) {
      return true;
    }
    const http = context.switchToHttp();
    const match = BEARER.exec(http.getRequest<Request>().headers.authorization ?? '');
    if (match !== null && timingSafeEqual(digest(match[1]), this.expected)) return true;
    http.getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer');
    throw match === null ? UnauthorizedError.missingToken() : UnauthorizedError.invalidToken();
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
