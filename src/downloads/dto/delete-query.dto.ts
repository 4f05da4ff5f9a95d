import { IsIn, IsOptional } from 'class-validator';

/** The query of DELETE /downloads/:hash. */
export class DeleteQueryDto {
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'delete_files must be true or false' })
  delete_files?: 'true' | 'false';
}
