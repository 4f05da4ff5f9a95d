import { Body, Controller, HttpCode, HttpStatus, Post, UseFilters } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '../openapi/swagger-decorators.js';
import { ApiExceptionFilter } from '../common/api-exception.filter.js';
import { ApiErrors, ApiProtected } from '../openapi/api-docs.decorators.js';
import { CredentialsService } from './credentials.service.js';
import { CredentialsDto, CredentialsResultDto } from './dto/credentials.dto.js';

@ApiTags('config')
@ApiProtected()
@Controller('config')
@UseFilters(ApiExceptionFilter)
export class CredentialsController {
  constructor(private readonly credentials: CredentialsService) {}

  @Post('credentials')
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
