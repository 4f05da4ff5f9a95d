import { ApiProperty } from '../openapi/swagger-decorators.js';

/** The failure answer of every endpoint but POST /download. */
export class ErrorResponseDto {
  @ApiProperty({ example: 'hash must be an info-hash of 40 hex characters' })
  error!: string;
}
