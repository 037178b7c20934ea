import { Global, Module, type DynamicModule } from '@nestjs/common';
import { WorkloadTls } from './workload-tls.js';

/**
 * The workload's TLS (its X.509-SVID and the peers it has met), available everywhere. main.ts
 * makes it before the application, because the API listener needs a certificate to start.
 */
@Global()
@Module({})
export class TlsModule {
  static forRoot(tls: WorkloadTls): DynamicModule {
    return { module: TlsModule, providers: [{ provide: WorkloadTls, useValue: tls }], exports: [WorkloadTls] };
  }
}
