import type * as SwaggerPackage from '@nestjs/swagger';

type Swagger = typeof SwaggerPackage;

/** The @nestjs/swagger decorators the service uses. */
type DecoratorName =
  | 'ApiProperty'
  | 'ApiPropertyOptional'
  | 'ApiOperation'
  | 'ApiTags'
  | 'ApiParam'
  | 'ApiProduces'
  | 'ApiExtension'
  | 'ApiResponse'
  | 'ApiOkResponse'
  | 'ApiCreatedResponse'
  | 'ApiBadRequestResponse'
  | 'ApiUnauthorizedResponse'
  | 'ApiNotFoundResponse'
  | 'ApiPayloadTooLargeResponse'
  | 'ApiInternalServerErrorResponse'
  | 'ApiBadGatewayResponse'
  | 'ApiServiceUnavailableResponse';

type Decoration = (target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => void;

/** What the decorators below were asked, in the order TypeScript applied them. */
const recorded: ((swagger: Swagger) => void)[] = [];

/**
 * A swagger decorator that only notes where it was put. Importing @nestjs/swagger costs about
 * 12 MB of resident memory for as long as the process runs (its utility library loads whole), and
 * nothing but the OpenAPI document reads what its decorators record: so the DTOs and controllers
 * use these, and loadSwagger() imports the package and applies them, in their order, the first
 * time someone asks for /docs or /openapi.json.
 */
function deferred<Name extends DecoratorName>(name: Name): Swagger[Name] {
  const factory =
    (...options: unknown[]): Decoration =>
    (target, key, descriptor) => {
      recorded.push((swagger) => {
        const decorator = (swagger[name] as (...args: unknown[]) => Decoration)(...options);
        decorator(target, key, descriptor);
      });
    };
  return factory;
}

export const ApiProperty = deferred('ApiProperty');
export const ApiPropertyOptional = deferred('ApiPropertyOptional');
export const ApiOperation = deferred('ApiOperation');
export const ApiTags = deferred('ApiTags');
export const ApiParam = deferred('ApiParam');
export const ApiProduces = deferred('ApiProduces');
export const ApiExtension = deferred('ApiExtension');
export const ApiResponse = deferred('ApiResponse');
export const ApiOkResponse = deferred('ApiOkResponse');
export const ApiCreatedResponse = deferred('ApiCreatedResponse');
export const ApiBadRequestResponse = deferred('ApiBadRequestResponse');
export const ApiUnauthorizedResponse = deferred('ApiUnauthorizedResponse');
export const ApiNotFoundResponse = deferred('ApiNotFoundResponse');
export const ApiPayloadTooLargeResponse = deferred('ApiPayloadTooLargeResponse');
export const ApiInternalServerErrorResponse = deferred('ApiInternalServerErrorResponse');
export const ApiBadGatewayResponse = deferred('ApiBadGatewayResponse');
export const ApiServiceUnavailableResponse = deferred('ApiServiceUnavailableResponse');
export type { ApiResponseOptions } from '@nestjs/swagger';

/** @nestjs/swagger, with every decoration made so far applied (once). */
export async function loadSwagger(): Promise<Swagger> {
  const swagger = await import('@nestjs/swagger');
  for (const apply of recorded.splice(0)) apply(swagger);
  return swagger;
}
