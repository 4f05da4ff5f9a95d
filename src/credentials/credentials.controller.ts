import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiErrors } from '../openapi/api-docs.decorators.js';
import { ApiOkResponse, ApiOperation, ApiTags } from '../openapi/swagger-decorators.js';
import { CREDENTIALS_ROUTE } from './credentials.routes.js';
import { CredentialsService } from './credentials.service.js';
import { CredentialsDto, CredentialsResultDto } from './dto/credentials.dto.js';

@ApiTags('config')
@Controller()
export class CredentialsController {
  constructor(private readonly credentials: CredentialsService) {}

  @Post(CREDENTIALS_ROUTE)
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Set the qBittorrent credentials',
    description:
      'Logs in with them and keeps them (in memory, until a restart) only if qBittorrent accepts them.',
  })
  @ApiOkResponse({ type: CredentialsResultDto })
  @ApiErrors({
    400: 'username is required',
    401: 'qBittorrent refused the login of user "admin": check QBITTORRENT_USER and QBITTORRENT_PASSWORD; the credentials in use are unchanged',
    500: 'qBittorrent at http://qbittorrent:8080 is unreachable (ECONNREFUSED)',
  })
  replace(@Body() body: CredentialsDto): Promise<CredentialsResultDto> {
    return this.credentials.replace(body);
  }
}
