import { Module } from '@nestjs/common';
import { IdleHeapRelease } from './idle-heap-release.js';

/** The service's memory: the heap a burst of work grew, given back once idle. */
@Module({ providers: [IdleHeapRelease], exports: [IdleHeapRelease] })
export class MemoryModule {}
