import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The backend's Prometheus metrics, served at GET /metrics. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const metrics = {
  svidExpiry: new Gauge({ name: 'zt_svid_expiry_timestamp_seconds', help: 'Expiry of the last JWT-SVID fetched', registers: [registry] }),
  openbaoTokenExpiry: new Gauge({ name: 'zt_openbao_token_expiry_timestamp_seconds', help: 'Expiry of the current OpenBao token', registers: [registry] }),
  dbLeaseExpiry: new Gauge({ name: 'zt_db_lease_expiry_timestamp_seconds', help: 'Expiry of the current database lease', registers: [registry] }),
  poolGeneration: new Gauge({ name: 'zt_db_pool_generation', help: 'How many database pools (credential sets) this process has used', registers: [registry] }),
  rotations: new Counter({ name: 'zt_db_rotations_total', help: 'Database credential rotations', labelNames: ['reason', 'result'], registers: [registry] }),
  openbaoRequests: new Counter({ name: 'zt_openbao_requests_total', help: 'Calls made to OpenBao', labelNames: ['operation', 'result'], registers: [registry] }),
  httpDuration: new Histogram({
    name: 'zt_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  }),
};
