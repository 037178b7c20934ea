/**
 * scripts/hubble.sh and the demo's Hubble check, where no cluster can run: against the recording
 * stand-ins for kubectl and hubble (tests/kind/fake-cli.mjs), fed with flows in Hubble's own JSON
 * (jsonpb, proto field names). What a real Hubble Relay returns is only seen on a cluster.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, repoPath } from '../lib/repo.ts';

const state = mkdtempSync(join(tmpdir(), 'zt-hubble-'));
const log = join(state, 'calls.jsonl');
afterAll(() => rmSync(state, { recursive: true, force: true }));

// A drop by the frontend's deny rule, and a mutually authenticated policy verdict.
const DROP = {
  flow: {
    time: '2026-11-22T10:00:00.000Z', verdict: 'DROPPED', drop_reason_desc: 'POLICY_DENY', Type: 'L3_L4',
    source: { namespace: '99-apps', pod_name: 'frontend-7d9c' }, destination: { namespace: 'openbao', pod_name: 'openbao-0' },
    l4: { TCP: { destination_port: 8200 } },
  },
};
const SPIRE_VERDICT = {
  flow: {
    time: '2026-11-22T10:00:01.000Z', verdict: 'FORWARDED', auth_type: 'SPIRE', Type: 'L3_L4', event_type: { type: 5 }, trace_observation_point: 'TO_ENDPOINT',
    source: { namespace: '99-apps', pod_name: 'backend-5f6b' }, destination: { namespace: 'openbao', pod_name: 'openbao-0' },
    l4: { TCP: { destination_port: 8200 } },
  },
};

function useFlows(...flows: object[]): void {
  writeFileSync(join(state, 'hubble-flows.jsonl'), flows.map((f) => `${JSON.stringify(f)}\n`).join(''));
}

function runBash(args: string[]) {
  writeFileSync(log, '');
  const env = { ...process.env, PATH: `${repoPath('tests', 'kind', 'bin')}:${process.env.PATH}`, FAKE_LOG: log, FAKE_STATE: state, NO_COLOR: '1' };
  const result = spawnSync('bash', args, { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 30_000 });
  const calls = readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { tool: string; args: string[] });
  return { ...result, calls };
}
const hubbleSh = (...args: string[]) => runBash([repoPath('scripts', 'hubble.sh'), ...args]);

beforeEach(() => {
  writeFileSync(join(state, 'cluster.json'), JSON.stringify({ exists: true, releases: {}, configmaps: {}, secrets: {}, applied: {}, images: [], nodeImages: [] }));
  useFlows(DROP, SPIRE_VERDICT);
});

describe('scripts/hubble.sh', () => {
  it('reaches Hubble Relay through its own port-forward on the kind context', () => {
    const result = hubbleSh('drops');
    expect(result.status, result.stderr).toBe(0);
    const forward = result.calls.find((c) => c.tool === 'kubectl')!;
    expect(forward.args.slice(0, 5)).toEqual(['--context', 'kind-zt-demo', '-n', 'kube-system', 'port-forward']);
    expect(forward.args[5]).toBe('service/hubble-relay');
    const port = forward.args[6]!.split(':')[0];
    const observe = result.calls.find((c) => c.tool === 'hubble')!;
    expect(observe.args.slice(0, 3)).toEqual(['observe', '--server', `127.0.0.1:${port}`]);
  });

  it.each([
    [['flows'], ['--namespace', '99-apps', '--verdict', 'FORWARDED', '--last', '20', '-o', 'compact', '--use-default-field-masks=false']],
    [['verdicts', '--to-namespace', 'openbao'], ['--type', 'policy-verdict', '--to-namespace', 'openbao', '--last', '20', '-o', 'compact', '--use-default-field-masks=false']],
    [['drops', '--from-pod', '99-apps/frontend', '--last', '5'], ['--verdict', 'DROPPED', '--from-pod', '99-apps/frontend', '--last', '5', '-o', 'compact', '--use-default-field-masks=false']],
    [['verdicts', '--follow'], ['--type', 'policy-verdict', '--follow', '-o', 'compact', '--use-default-field-masks=false']],
  ])('%j asks hubble observe for the right flows', (args, expected) => {
    const result = hubbleSh(...args);
    expect(result.status, result.stderr).toBe(0);
    expect(result.calls.find((c) => c.tool === 'hubble')!.args.slice(3)).toEqual(expected);
  });

  it('exports one JSON object per flow with verdict, drop reason, auth type, source, destination and port', () => {
    const result = hubbleSh('export');
    expect(result.status, result.stderr).toBe(0);
    const rows = result.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toEqual([
      { time: DROP.flow.time, verdict: 'DROPPED', drop_reason: 'POLICY_DENY', auth: null, src: '99-apps/frontend-7d9c', dst: 'openbao/openbao-0', port: 8200, type: 'L3_L4', point: null },
      { time: SPIRE_VERDICT.flow.time, verdict: 'FORWARDED', drop_reason: null, auth: 'SPIRE', src: '99-apps/backend-5f6b', dst: 'openbao/openbao-0', port: 8200, type: 'policy-verdict', point: 'TO_ENDPOINT' },
    ]);
  });

  it('wants a command and a number for --last', () => {
    expect(hubbleSh().stderr).toMatch(/^error: say what to show\nhint: /);
    expect(hubbleSh('flows', '--last', 'many').stderr).toMatch(/^error: --last wants a number/);
    expect(hubbleSh('nonsense').stderr).toMatch(/^error: unknown command: nonsense\nhint: +see scripts\/hubble.sh --help/);
  });
});

describe("demo.sh part 5's Hubble check (hubble_has_flow)", () => {
  const check = (...args: string[]) =>
    runBash(['-c', `source scripts/lib/common.sh; source scripts/lib/identity.sh; source scripts/lib/demo-ui.sh; source scripts/lib/kind.sh; source scripts/lib/demo-kind.sh
      if hubble_has_flow ${args.join(' ')}; then echo found; else echo "missing: $DEMO_DETAIL"; fi`]);

  it('finds a mutually authenticated flow when Hubble has one', () => {
    expect(check('--type', 'policy-verdict', '--auth', 'SPIRE').stdout.trim()).toBe('found');
  });

  it('does not count a flow without SPIRE auth as authenticated', () => {
    useFlows(DROP, { flow: { ...SPIRE_VERDICT.flow, auth_type: undefined } });
    expect(check('--type', 'policy-verdict', '--auth', 'SPIRE').stdout.trim()).toBe("missing: no such flow among Hubble's last 2000");
  });

  it('finds nothing when Hubble has no flows', () => {
    useFlows();
    expect(check('--verdict', 'DROPPED').stdout.trim()).toBe("missing: no such flow among Hubble's last 2000");
  });
});
