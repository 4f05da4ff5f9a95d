import { applyDecorators } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiInternalServerErrorResponse,
  ApiNotFoundResponse,
  ApiPayloadTooLargeResponse,
  ApiResponse,
  type ApiResponseOptions,
  ApiUnauthorizedResponse,
} from './swagger-decorators.js';
import { ErrorResponseDto } from './error-response.dto.js';

export type ErrorStatus = 400 | 401 | 404 | 413 | 500 | 502 | 507;

/** How a route writes an error: by default `{"error": "..."}`. */
export type ErrorShape = (message: string, status: ErrorStatus) => ApiResponseOptions;

export const errorShape: ErrorShape = (message) => ({
  type: ErrorResponseDto,
  example: { error: message },
});

const RESPONSE: Record<
  ErrorStatus,
  (options: ApiResponseOptions) => MethodDecorator & ClassDecorator
> = {
  400: ApiBadRequestResponse,
  401: ApiUnauthorizedResponse,
  404: ApiNotFoundResponse,
  413: ApiPayloadTooLargeResponse,
  500: ApiInternalServerErrorResponse,
  502: ApiBadGatewayResponse,
  507: (options) => ApiResponse({ ...options, status: 507 }),
};

/**
 * The error answers of a route (or of every route of a controller), each with an example. The
 * bearer scheme and the 401 of every route not @Public() are added to the document by openapi.ts.
 */
export function ApiErrors(
  examples: Partial<Record<ErrorStatus, string>>,
  shape: ErrorShape = errorShape,
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...Object.entries(examples).map(([key, message]) => {
      const status = Number(key) as ErrorStatus;
      return RESPONSE[status](shape(message, status));
    }),
  );
}
