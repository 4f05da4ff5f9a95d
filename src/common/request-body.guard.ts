import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { bodyErrorOf } from './request-body.js';

/**
 * Raises, inside the route (so that the route's exception filter words the answer), the body
 * error jsonBodyParser kept on the request. A guard rather than an interceptor: registered after
 * ApiTokenGuard it runs at the same point (after authentication, before validation), and with no
 * interceptor Nest answers every request without building an Observable around it.
 */
@Injectable()
export class RequestBodyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const error = bodyErrorOf(context.switchToHttp().getRequest<Request>());
    if (error) throw error;
    return true;
  }
}
