/** The body of `POST {CORE_SERVICE_URL}/services/register`. */
export interface RegistrationPayload {
  service_type: 'downloader';
  service_name: string;
  host: string;
  port: number;
  capabilities: {
    download_endpoint: string;
    /** POST /downloads (batches) and GET /downloads (status), since the management endpoints. */
    batch_download_endpoint: string;
    supported_download_types: string[];
  };
}

/** What the core service answers. */
export interface RegistrationReceipt {
  service_id?: unknown;
  registered_at?: unknown;
}
