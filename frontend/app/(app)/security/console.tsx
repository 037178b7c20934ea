'use client';

import { useCallback, useEffect, useState, useTransition } from 'react';
import { Alert, buttonClass, Card } from '@/components/ui';
import { rotateNow, type FormState } from '@/lib/actions';
import { countdown } from '@/lib/format';
import type { SecurityStatus, TlsPeer } from '@zt-demo/api-contract';

interface Svid {
  spiffe_id: string;
  serial: string;
  expires_at: string;
  renewals: number;
}

interface ConsoleData {
  status: SecurityStatus;
  dbUsers: Array<{ username: string; valid_until: string | null }>;
  /** The frontend's side of the frontend -> backend hop (app/api/console/route.ts). */
  frontend: { svid: Svid | null; backend: Omit<TlsPeer, 'seen_at'> | null };
}

/** The backend's pool holds at most 20 connections (DB_POOL_MAX). */
const POOL_MAX = 20;

function Gauge({ label, value, warn = false }: { label: string; value: number; warn?: boolean }) {
  return (
    <div className="grid grid-cols-[4rem_1fr_2rem] items-center gap-2 text-xs">
      <span className="text-slate-500">{label}</span>
      <meter min={0} max={POOL_MAX} value={value} aria-label={`${label} connections`} className="sr-only" />
      <span aria-hidden="true" className="h-2 rounded bg-slate-100">
        <span className={`block h-2 rounded ${warn && value > 0 ? 'bg-red-500' : 'bg-precinct-600'}`} style={{ width: `${Math.min(100, (value / POOL_MAX) * 100)}%` }} />
      </span>
      <span className="text-right font-mono">{value}</span>
    </div>
  );
}

function Row({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <div className="grid grid-cols-[9rem_1fr] gap-2 py-1 text-sm">
      <dt className="text-slate-500">{label}</dt>
      <dd className="font-mono text-xs break-all" data-testid={testId}>{children}</dd>
    </div>
  );
}

/** One hop of the chain: who is at its far end, proved by which certificate, valid how long. */
function Hop({ name, peer, now, testId }: { name: string; peer: Omit<TlsPeer, 'seen_at'> | null; now: number; testId: string }) {
  return (
    <tr className="border-t border-slate-100 align-top" data-testid={testId}>
      <td className="py-1 pr-2 text-slate-600">{name}</td>
      <td className="py-1 pr-2 font-mono text-xs break-all">{peer?.spiffe_id ?? '(not met yet)'}</td>
      <td className="py-1 text-right font-mono text-xs whitespace-nowrap">{peer ? countdown(peer.expires_at, now) : ''}</td>
    </tr>
  );
}

function OwnSvid({ name, svid, now, testId }: { name: string; svid: Svid | null; now: number; testId: string }) {
  return (
    <Row label={name} testId={testId}>
      {svid ? `expires in ${countdown(svid.expires_at, now)} · renewed ${svid.renewals}× since start · serial ${svid.serial.slice(-8)}` : '(none yet)'}
    </Row>
  );
}

export function Console({ isAdmin }: { isAdmin: boolean }) {
  const [data, setData] = useState<ConsoleData>();
  const [failed, setFailed] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const [result, setResult] = useState<FormState>({});
  const [pending, startTransition] = useTransition();

  const refresh = useCallback(async () => {
    try {
      const response = await fetch('/api/console', { cache: 'no-store' });
      if (response.status === 401) return window.location.assign('/login?expired=1');
      if (!response.ok) throw new Error(String(response.status));
      setData(await response.json());
      setFailed(false);
    } catch {
      setFailed(true);
    }
  }, []);

  useEffect(() => {
    void refresh();
    const poll = setInterval(() => void refresh(), 2000);
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      clearInterval(poll);
      clearInterval(tick);
    };
  }, [refresh]);

  const rotate = () =>
    startTransition(async () => {
      setResult(await rotateNow());
      await refresh();
    });

  if (!data) return <p className="animate-pulse text-slate-500">{failed ? 'The backend is not answering yet…' : 'Loading…'}</p>;
  const { status, dbUsers, frontend } = data;
  const { peers } = status.tls;
  return (
    <div className="space-y-4">
      {failed && <Alert kind="error">Lost contact with the backend; retrying.</Alert>}
      <div className="grid gap-4 md:grid-cols-3">
        <Card title="Workload identity (SPIRE)">
          <dl>
            <Row label="SPIFFE ID" testId="spiffe-id">{status.workload.spiffe_id}</Row>
            <Row label="JWT-SVID expires in">{countdown(status.workload.svid_expires_at, now)}</Row>
            <Row label="Answered by" testId="backend-replica">{status.workload.replica}</Row>
          </dl>
        </Card>
        <Card title="OpenBao">
          <dl>
            <Row label="Auth method">{status.openbao.auth_method}</Row>
            <Row label="Role">{status.openbao.role}</Row>
            <Row label="Policies">{status.openbao.policies.join(', ')}</Row>
            <Row label="Token expires in">{countdown(status.openbao.token_expires_at, now)}</Row>
          </dl>
        </Card>
        <Card title="Database credential">
          <dl>
            <Row label="Username" testId="console-db-username">{status.database.username}</Row>
            <Row label="Lease">{status.database.lease_id}</Row>
            <Row label="Lease expires in">{countdown(status.database.lease_expires_at, now)}</Row>
            <Row label="Next rotation in">{countdown(status.database.next_rotation_at, now)}</Row>
            <Row label="Pool">generation {status.database.generation}</Row>
          </dl>
          <div className="mt-2 space-y-1" data-testid="pool-gauges">
            <Gauge label="open" value={status.database.pool.total} />
            <Gauge label="idle" value={status.database.pool.idle} />
            <Gauge label="waiting" value={status.database.pool.waiting} warn />
          </div>
        </Card>
      </div>
      <Card title="Mutual TLS on every hop (X.509-SVIDs from SPIRE)">
        <p className="mb-2 text-xs text-slate-500">
          Each connection between the workloads is TLS 1.3. Each end checks the other&apos;s certificate against SPIRE&apos;s trust bundle
          and accepts only the SPIFFE ID it expects. Certificates renew by themselves, with no restart.
        </p>
        <table className="w-full text-sm" data-testid="tls-hops">
          <thead>
            <tr className="text-left text-xs text-slate-500">
              <th className="font-normal">Hop</th>
              <th className="font-normal">Peer&apos;s SPIFFE ID (verified)</th>
              <th className="text-right font-normal">Certificate expires in</th>
            </tr>
          </thead>
          <tbody>
            <Hop name="frontend → backend (server)" peer={frontend.backend} now={now} testId="tls-hop-backend" />
            <Hop name="frontend → backend (client)" peer={peers.caller} now={now} testId="tls-hop-caller" />
            <Hop name="backend → OpenBao" peer={peers.openbao} now={now} testId="tls-hop-openbao" />
            <Hop name="backend, OpenBao → PostgreSQL" peer={peers.postgres} now={now} testId="tls-hop-postgres" />
          </tbody>
        </table>
        <dl className="mt-2">
          <OwnSvid name="Frontend's SVID" svid={frontend.svid} now={now} testId="tls-svid-frontend" />
          <OwnSvid name="Backend's SVID" svid={status.tls.svid} now={now} testId="tls-svid-backend" />
        </dl>
      </Card>
      <div className="grid gap-4 md:grid-cols-2">
        <Card title="v- roles in PostgreSQL right now">
          <ul className="space-y-1" data-testid="db-users">
            {dbUsers.map((user) => (
              <li key={user.username} className="font-mono text-xs break-all">
                {user.username}
                {user.username === status.database.username && <span className="ml-2 rounded bg-emerald-100 px-1 text-emerald-800">in use</span>}
              </li>
            ))}
          </ul>
          {isAdmin && (
            <div className="mt-4 space-y-2">
              <button type="button" onClick={rotate} disabled={pending} className={buttonClass}>
                {pending ? 'Rotating…' : 'Rotate credentials now'}
              </button>
              {result.ok && <Alert kind="ok">{result.ok}</Alert>}
              {result.error && <Alert kind="error">{result.error}</Alert>}
            </div>
          )}
        </Card>
        <Card title="Rotation history">
          <ol className="space-y-2 border-l-2 border-badge-400 pl-4" data-testid="rotations">
            {status.rotations.map((rotation) => (
              <li key={`${rotation.at}-${rotation.to_username}`} className="text-xs">
                <span className="font-semibold">{new Date(rotation.at).toISOString().slice(11, 19)} UTC</span> · {rotation.reason} ·{' '}
                <span className={rotation.result === 'ok' ? 'text-emerald-700' : 'text-red-700'}>{rotation.result}</span> · {rotation.duration_ms} ms
                <div className="font-mono break-all text-slate-600">
                  {rotation.from_username ?? '(none)'} → {rotation.to_username ?? '(unchanged)'}
                </div>
              </li>
            ))}
          </ol>
        </Card>
      </div>
    </div>
  );
}
