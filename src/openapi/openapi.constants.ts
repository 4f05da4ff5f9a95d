/** The name of the bearer security scheme in the OpenAPI document. */
export const API_TOKEN_SCHEME = 'api-token';
