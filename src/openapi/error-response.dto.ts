import { ApiProperty } from './swagger-decorators.js';

/** The failure answer of every endpoint but POST /download. */
export class ErrorResponseDto {
  @ApiProperty({ example: 'request body is not valid JSON' })
  error!: string;
}
