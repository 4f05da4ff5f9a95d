import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'downloader:public';

/** Marks a controller or route that answers without the API token (the health checks). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
