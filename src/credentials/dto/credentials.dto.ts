import { ApiProperty } from '../../openapi/swagger-decorators.js';
import { IsDefined } from 'class-validator';
import { IsPlainText } from '../../common/validators.js';

/** The body of POST /config/credentials. */
export class CredentialsDto {
  @ApiProperty({ example: 'admin', maxLength: 255 })
  @IsDefined({ message: 'username is required' })
  @IsPlainText(255)
  username!: string;

  @ApiProperty({ example: 'the-webui-password', maxLength: 1024, format: 'password' })
  @IsDefined({ message: 'password is required' })
  @IsPlainText(1024)
  password!: string;
}

export class CredentialsResultDto {
  @ApiProperty({ enum: ['ok'] })
  status!: 'ok';

  @ApiProperty({ example: 'admin' })
  username!: string;

  @ApiProperty({ example: 'v5.1.0', description: 'The qBittorrent version logged in to' })
  qbittorrent_version!: string;
}
