import { Global, Module } from '@nestjs/common';
import { SecurityEvents } from './security-events.js';

/** The security event log, available to every module. */
@Global()
@Module({ providers: [SecurityEvents], exports: [SecurityEvents] })
export class EventsModule {}
