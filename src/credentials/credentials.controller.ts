import { Body, Controller, HttpCode, HttpStatus, Post, UseFilters } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiInternalServerErrorResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ApiExceptionFilter } from '../common/api-exception.filter.js';
import { ErrorResponseDto } from '../common/error-response.dto.js';
import { API_TOKEN_SCHEME } from '../openapi/openapi.constants.js';
import { CredentialsService } from './credentials.service.js';
import { CredentialsDto, CredentialsResultDto } from './dto/credentials.dto.js';

const error = (example: string) => ({ type: ErrorResponseDto, example: { error: example } });

@ApiTags('config')
@ApiBearerAuth(API_TOKEN_SCHEME)
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
  @ApiBadRequestResponse(error('username is required'))
  @ApiUnauthorizedResponse({
    description: 'qBittorrent refused them (or, with API_TOKEN set, no valid bearer token)',
    ...error(
      'qBittorrent refused the login of user "admin": check QBITTORRENT_USER and QBITTORRENT_PASSWORD; the credentials in use are unchanged',
    ),
  })
  @ApiInternalServerErrorResponse(
    error('qBittorrent at http://qbittorrent:8080 is unreachable (ECONNREFUSED)'),
  )
  replace(@Body() body: CredentialsDto): Promise<CredentialsResultDto> {
    return this.credentials.replace(body);
  }
}
