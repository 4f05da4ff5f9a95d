import { ApiPropertyOptional } from '../../../openapi/swagger-decorators.js';
import { IsIn, IsOptional } from 'class-validator';

/** The query of DELETE /downloads/:hash. */
export class DeleteQueryDto {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    default: 'false',
    description: 'Also delete the downloaded files',
  })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'delete_files must be true or false' })
  delete_files?: 'true' | 'false';
}
