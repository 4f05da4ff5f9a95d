import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { RetryModule } from '../retry/retry.module.js';
import { RegistrationService } from './registration.service.js';

@Module({
  imports: [HttpModule, RetryModule],
  providers: [RegistrationService],
  exports: [RegistrationService],
})
export class RegistrationModule {}
