import { hostname } from 'node:os';
import { Inject, Injectable } from '@nestjs/common';
import type { RotationView, SecurityStatus, TlsPeer } from '@zt-demo/api-contract';
import type { SessionClaims } from '../auth/session-tokens.service.js';
import { AppError } from '../common/errors.js';
import { LOGGER, type Logger } from '../common/logger.js';
import { currentRequest } from '../common/request-context.js';
import { AuditRepository } from '../database/audit.repository.js';
import { DatabaseService } from '../database/database.service.js';
import type { RotationRecord } from '../database/rotating-pool.js';
import { IdentityService } from '../identity/identity.service.js';
import { OpenBaoSession } from '../secrets/openbao-session.service.js';
import { peerView, type PeerView } from '../tls/peer-certificates.js';
import { WorkloadTls } from '../tls/workload-tls.js';

export type { RotationView, SecurityStatus };

const iso = (date: Date | null | undefined): string | null => (date ? date.toISOString() : null);

const tlsPeer = (view: PeerView | undefined): TlsPeer | null =>
  view ? { spiffe_id: view.spiffeId, serial: view.serial, expires_at: view.expiresAt.toISOString(), seen_at: view.seenAt.toISOString() } : null;

export const rotationView = (record: RotationRecord): RotationView => ({
  at: record.at.toISOString(),
  from_username: record.fromUsername,
  to_username: record.toUsername,
  duration_ms: record.durationMs,
  reason: record.reason,
  result: record.result,
});

@Injectable()
export class SecurityService {
  constructor(
    private readonly identity: IdentityService,
    private readonly openbao: OpenBaoSession,
    private readonly database: DatabaseService,
    private readonly audit: AuditRepository,
    private readonly tls: WorkloadTls,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  status(): SecurityStatus {
    const workload = this.identity.current();
    const openbao = this.openbao.status();
    const db = this.database.status();
    const svid = this.tls.ownSvid();
    const caller = currentRequest()?.caller?.cert;
    return {
      workload: { spiffe_id: workload.spiffeId, svid_expires_at: iso(workload.svidExpiresAt), replica: hostname() },
      tls: {
        svid: { spiffe_id: svid.spiffeId, serial: svid.serial, expires_at: svid.expiresAt.toISOString(), renewals: svid.renewals },
        peers: {
          caller: tlsPeer(caller && peerView(caller)),
          openbao: tlsPeer(this.tls.peers.get('openbao')),
          postgres: tlsPeer(this.tls.peers.get('postgres')),
        },
      },
      openbao: { auth_method: openbao.authMethod, role: openbao.role, policies: openbao.policies, token_expires_at: iso(openbao.tokenExpiresAt) },
      database: {
        username: db.username,
        lease_id: db.leaseId,
        lease_expires_at: iso(db.leaseExpiresAt),
        next_rotation_at: iso(db.nextRotationAt),
        generation: db.generation,
        pool: db.pool,
      },
      rotations: this.database.pool.rotations().map(rotationView),
    };
  }

  async rotate(session: SessionClaims): Promise<RotationView> {
    const record = await this.database.rotate('forced');
    await this.audit
      .record('db_rotation_forced', String(session.user_id), 'database', { from: record.fromUsername, to: record.toUsername, result: record.result })
      .catch((error: Error) => this.logger.warn({ reason: error.message }, 'could not audit a forced rotation'));
    if (record.result !== 'ok') throw new AppError(503, 'rotation_failed', 'The rotation failed; the current credentials stay in use. Try again shortly.');
    return rotationView(record);
  }

  async dynamicDbUsers(): Promise<Array<{ username: string; valid_until: string | null }>> {
    const result = await this.database.query<{ rolname: string; rolvaliduntil: Date | null }>(
      "SELECT rolname, rolvaliduntil FROM pg_roles WHERE rolname LIKE 'v-%' ORDER BY rolvaliduntil NULLS LAST, rolname",
    );
    return result.rows.map((row) => ({ username: row.rolname, valid_until: iso(row.rolvaliduntil) }));
  }
}
