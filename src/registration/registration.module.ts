import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { RetryModule } from '../retry/retry.module.js';
import { RegistrationRuns } from './registration-runs.js';
import { RegistrationService } from './registration.service.js';

@Module({
  imports: [HttpModule, RetryModule],
  providers: [RegistrationService, RegistrationRuns],
  exports: [RegistrationService, RegistrationRuns],
})
export class RegistrationModule {}
