import { applyDecorators } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiInternalServerErrorResponse,
  ApiNotFoundResponse,
  ApiPayloadTooLargeResponse,
  type ApiResponseOptions,
  ApiUnauthorizedResponse,
} from './swagger-decorators.js';
import { ErrorResponseDto } from '../common/error-response.dto.js';
import { API_TOKEN_SCHEME } from './openapi.constants.js';

export type ErrorStatus = 400 | 401 | 404 | 413 | 500 | 502;

/** How a route writes an error: by default `{"error": "..."}`. */
export type ErrorShape = (message: string, status: ErrorStatus) => ApiResponseOptions;

const errorShape: ErrorShape = (message) => ({
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
};

/** The error answers of a route (or of every route of a controller), each with an example. */
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

/** Behind API_TOKEN: the bearer scheme, and the 401 in the route's own shape. */
export function ApiProtected(shape: ErrorShape = errorShape): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiBearerAuth(API_TOKEN_SCHEME),
    ApiUnauthorizedResponse({
      description: 'With API_TOKEN set',
      ...shape('invalid bearer token', 401),
    }),
  );
}
