/** qBittorrent refused the credentials given over the API; the ones in use stay as they were. */
export class CredentialsRefusedError extends Error {
  constructor(reason: string) {
    super(`${reason}; the credentials in use are unchanged`);
    this.name = 'CredentialsRefusedError';
  }
}
