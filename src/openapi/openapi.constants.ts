/** The name of the bearer security scheme in the OpenAPI document. */
export const API_TOKEN_SCHEME = 'api-token';

/** Marks the operations of @Public() routes while the document is built; removed before it is served. */
export const PUBLIC_EXTENSION = 'x-public';

/** Where the API describes itself: Swagger UI (and its assets below it) and the JSON document. */
export const DOCS_ROUTES = { ui: '/docs', document: '/openapi.json' } as const;

export function isDocsPath(path: string): boolean {
  return (
    path === DOCS_ROUTES.document ||
    path === DOCS_ROUTES.ui ||
    path.startsWith(`${DOCS_ROUTES.ui}/`)
  );
}
