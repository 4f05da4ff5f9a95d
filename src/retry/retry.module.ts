import { Module } from '@nestjs/common';
import { RetryService } from './retry.service.js';

/** Retrying with backoff, for anything whose errors say whether they are transient. */
@Module({
  providers: [RetryService],
  exports: [RetryService],
})
export class RetryModule {}
