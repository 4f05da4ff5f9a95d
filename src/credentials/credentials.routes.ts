/** The route of the credentials feature. */
export const CREDENTIALS_ROUTE = '/config/credentials';
