import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { bodyErrorOf } from './request-body.js';

/** Raises, inside the route, the body error jsonBodyParser kept on the request. */
@Injectable()
export class RequestBodyInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const error = bodyErrorOf(context.switchToHttp().getRequest<Request>());
    if (error) throw error;
    return next.handle();
  }
}
