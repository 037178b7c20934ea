/**
 * Stand-ins for docker, kind, kubectl, helm, cilium, hubble and bao, for running scripts/setup.sh
 * in kind mode where no cluster can run (tests/unit/setup-kind.test.ts). Each call appends
 * {tool, args} to $FAKE_LOG; what the fake cluster holds lives in $FAKE_STATE/state.json, so a
 * second run of setup.sh finds what the first one made. `kubectl port-forward pod/openbao-0`
 * serves a fake OpenBao HTTPS API with a static seal (recording every request) until it is killed, with a certificate
 * of a fake SPIRE CA, which the stand-in `spire-server bundle show` hands out.
 * Anything these fakes do not know fails loudly, so setup.sh cannot depend on it unnoticed.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { join } from 'node:path';

const [tool, ...argv] = process.argv.slice(2);
const LOG = process.env.FAKE_LOG;
const STATE_DIR = process.env.FAKE_STATE;
if (!LOG || !STATE_DIR) fail('FAKE_LOG and FAKE_STATE must be set');

const log = (entry) => appendFileSync(LOG, `${JSON.stringify(entry)}\n`);
const statePath = (name) => join(STATE_DIR, name === 'hubble-flows' ? 'hubble-flows.jsonl' : `${name}.json`);
const load = (name, initial) => (existsSync(statePath(name)) ? JSON.parse(readFileSync(statePath(name), 'utf8')) : initial);
const save = (name, value) => writeFileSync(statePath(name), JSON.stringify(value, null, 2));
const cluster = load('cluster', { exists: false, releases: {}, configmaps: {}, secrets: {}, applied: {}, nodeImages: [] });
const saveCluster = () => save('cluster', cluster);
// The engine's images, apart from the cluster: setup.sh builds them in the background while other
// stand-ins change the cluster, and each call writes back the whole file it loaded.
const images = load('images', []);

function fail(message, code = 1) {
  process.stderr.write(`fake ${tool}: ${message}\n`);
  process.exit(code);
}
const out = (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

/** Removes `--flag value` pairs from args and returns [value, rest]. */
function takeFlag(args, ...names) {
  const rest = [];
  let value;
  for (let i = 0; i < args.length; i++) {
    const [name, inline] = args[i].split(/=(.*)/s);
    if (names.includes(name)) value = inline ?? args[++i];
    else rest.push(args[i]);
  }
  return [value, rest];
}

const tools = {
  docker(args) {
    const [cmd, ...rest] = args;
    if (cmd === 'info') return out(rest.includes('--format') ? '4 8589934592' : 'Server Version: 28.0.0');
    if (cmd === 'image' && rest[0] === 'inspect') return images.includes(rest[1]) ? out('[{}]') : fail(`No such image: ${rest[1]}`);
    if (cmd === 'image' && rest[0] === 'ls') return out(images.join('\n'));
    if (cmd === 'build') {
      const [tag] = takeFlag(rest, '-t');
      const failing = process.env.FAKE_DOCKER_BUILD_FAILS;
      if (failing && tag.startsWith(`zt-demo/${failing}:`)) fail('npm error code ERESOLVE (the stand-in was told to fail this build)');
      images.push(tag);
      save('images', images);
      return out(`naming to ${tag} done`);
    }
    fail(`unsupported: ${args.join(' ')}`);
  },

  kind(args) {
    const [cmd, sub, ...rest] = args;
    if (cmd === 'version') return out('kind v0.32.0 go1.25.1 linux/amd64');
    if (cmd === 'get' && sub === 'clusters') return cluster.exists ? out('zt-demo') : out('No kind clusters found.');
    if (cmd === 'create' && sub === 'cluster') {
      if (cluster.exists) fail('node(s) already exist for a cluster with the name "zt-demo"');
      cluster.exists = true;
      return saveCluster();
    }
    if (cmd === 'load' && sub === 'docker-image') {
      const [, loaded] = takeFlag(rest, '--name');
      for (const image of loaded) if (!images.includes(image)) fail(`image: "${image}" not present locally`);
      cluster.nodeImages = [...new Set([...cluster.nodeImages, ...loaded])];
      return saveCluster();
    }
    if (cmd === 'export' && sub === 'kubeconfig') {
      if (!cluster.exists) fail('could not locate any control plane nodes for cluster named "zt-demo"');
      cluster.contextLost = false;
      return saveCluster();
    }
    if (cmd === 'delete' && sub === 'cluster') {
      cluster.exists = false;
      return saveCluster();
    }
    fail(`unsupported: ${args.join(' ')}`);
  },

  helm(args) {
    let [, rest] = takeFlag(args, '--kube-context');
    const [ns, rest2] = takeFlag(rest, '--namespace', '-n');
    rest = rest2;
    if (rest[0] === 'version') return out('v4.2.0+g1d6e2ab');
    if (rest[0] === 'status') {
      const release = cluster.releases[`${ns}/${rest[1]}`];
      return release ? out(JSON.stringify({ info: { status: 'deployed' }, version: release.revision })) : fail('Error: release: not found');
    }
    if (rest[0] === 'upgrade' && rest[1] === '--install') {
      const [version, r1] = takeFlag(rest.slice(2), '--version');
      const [repo, r2] = takeFlag(r1, '--repo');
      const [, r3] = takeFlag(r2, '--values', '-f');
      const [release, chart] = r3.filter((a) => !a.startsWith('--'));
      // A chart archive (ZT_CHART_DIR) must exist; a chart name needs a repository and a version.
      if (chart.endsWith('.tgz') ? !existsSync(chart) : !repo || !version) fail(`chart "${chart}" not found`);
      if (!cluster.exists) fail('Kubernetes cluster unreachable');
      const key = `${ns}/${release}`;
      cluster.releases[key] = { chart, version, repo, revision: (cluster.releases[key]?.revision ?? 0) + 1 };
      saveCluster();
      return out(`Release "${release}" has been upgraded. Happy Helming!`);
    }
    fail(`unsupported: ${args.join(' ')}`);
  },

  hubble(args) {
    if (args[0] === 'version') return out('hubble v1.19.4@HEAD-0a1b2c3 compiled with go1.25.1 on linux/amd64');
    if (args[0] === 'observe') {
      const [output] = takeFlag(args, '-o', '--output');
      // jsonpb: the flows the test put in hubble-flows.jsonl (hubble's own filtering is not faked)
      if (output === 'jsonpb') return process.stdout.write(existsSync(statePath('hubble-flows')) ? readFileSync(statePath('hubble-flows'), 'utf8') : '');
      return out('Nov 22 10:00:00.000: 99-apps/frontend-1 -> 99-apps/backend-2 policy-verdict:L3-L4 INGRESS ALLOWED (TCP Flags: SYN; Auth: SPIRE)');
    }
    fail(`unsupported: ${args.join(' ')}`);
  },

  bao(args) {
    fail(`setup.sh must not need the bao CLI (called with: ${args.join(' ')})`);
  },

  kubectl(args) {
    let [, rest] = takeFlag(args, '--context');
    const [ns = 'default', rest2] = takeFlag(rest, '--namespace', '-n');
    rest = rest2;
    const [cmd, ...more] = rest;
    // contextLost: the cluster runs, but KUBECONFIG is a file it was not made with.
    const needCluster = () =>
      cluster.contextLost ? fail('context was not found for specified context: kind-zt-demo') : cluster.exists || fail('The connection to the server was refused');
    if (cmd === 'version') return out('Client Version: v1.36.1\nKustomize Version: v5.7.1');
    if (cmd === 'config' && more[0] === 'get-contexts') return cluster.exists && !cluster.contextLost ? out(more[1]) : fail(`context ${more[1]} not found`);
    needCluster();
    const kindName = (what) => `${ns}/${what}`;
    switch (cmd) {
      case 'get': {
        const [what, name] = more;
        if (what === 'nodes') return out('zt-demo-control-plane Ready');
        if (what === 'configmap') {
          const cm = cluster.configmaps[kindName(name)];
          return cm ? out(JSON.stringify({ data: cm })) : fail(`configmaps "${name}" not found`);
        }
        if (what === 'secret') {
          const secret = cluster.secrets[kindName(name)];
          return secret ? out(JSON.stringify({ data: secret })) : fail(`secrets "${name}" not found`);
        }
        if (what === 'deployments,daemonsets,statefulsets') {
          const workloads = {
            'kube-system': ['deployment.apps/cilium-operator', 'deployment.apps/coredns', 'deployment.apps/hubble-relay', 'daemonset.apps/cilium'],
            'cilium-spire': ['statefulset.apps/spire-server', 'daemonset.apps/spire-agent'],
            'spire-server': ['statefulset.apps/zt-spire-server', 'daemonset.apps/zt-spire-agent', 'deployment.apps/zt-spire-spiffe-oidc-discovery-provider'],
          };
          return out((workloads[ns] ?? []).join('\n'));
        }
        if (what === 'daemonsets') return out(JSON.stringify({ items: [{ metadata: { name: 'spire-agent' }, status: { numberReady: 3, desiredNumberScheduled: 3 } }] }));
        if (what === 'pod' && name === 'openbao-0') return out('openbao-0 0/1 Running');
        if (what === 'pods' && ns === 'openbao') {
          // OpenBao's three servers: Ready once the fake OpenBao is initialised and unsealed.
          const state = load('openbao', {});
          const ready = state.initialized && !state.sealed ? 'True' : 'False';
          const [jsonpath] = takeFlag(more, '-o');
          if (jsonpath?.startsWith('jsonpath=')) return out(state.initialized ? 'openbao-0' : '');
          return out(JSON.stringify({ items: [0, 1, 2].map((i) => ({ metadata: { name: `openbao-${i}` }, status: { conditions: [{ type: 'Ready', status: ready }] } })) }));
        }
        if (what === 'pods') return out(JSON.stringify({ items: [] }));
        // CloudNativePG's Cluster: its primary, once applied.
        if (what === 'cluster' && name === 'postgres') return out('postgres-1');
        break;
      }
      case 'patch': {
        const [what, name] = more;
        const [patch] = takeFlag(more, '-p');
        const cm = cluster.configmaps[kindName(name)];
        if (what !== 'configmap' || !cm) fail(`${what} "${name}" not found`);
        Object.assign(cm, JSON.parse(patch).data);
        return saveCluster();
      }
      case 'create': {
        const [what, ...opts] = more;
        if (what === '-f' && opts[0] === '-') {
          // A Secret as JSON on stdin (the static seal key: never on a command line).
          const object = JSON.parse(readFileSync(0, 'utf8'));
          if (object.kind !== 'Secret') break;
          const key = `${object.metadata.namespace}/${object.metadata.name}`;
          if (cluster.secrets[key]) fail(`secrets "${object.metadata.name}" already exists`);
          cluster.secrets[key] = object.data;
          return saveCluster();
        }
        if (what === 'configmap') {
          const [name, ...literals] = opts;
          const data = Object.fromEntries(literals.map((l) => l.replace(/^--from-literal=/, '').split(/=(.*)/s).slice(0, 2)));
          if (cluster.configmaps[kindName(name)]) fail(`configmaps "${name}" already exists`);
          cluster.configmaps[kindName(name)] = data;
          return saveCluster();
        }
        if (what === 'secret' && opts[0] === 'generic') {
          const [, name, ...files] = opts;
          if (cluster.secrets[kindName(name)]) fail(`secrets "${name}" already exists`);
          cluster.secrets[kindName(name)] = Object.fromEntries(
            files.map((f) => {
              const [key, file] = f.replace(/^--from-file=/, '').split(/=(.*)/s);
              return [key, readFileSync(file).toString('base64')];
            }),
          );
          return saveCluster();
        }
        break;
      }
      case 'diff': {
        // kubectl diff: exit 0 when applying would change nothing, 1 when it would.
        const [mode, path] = more.filter((arg) => !['--server-side', '--force-conflicts'].includes(arg));
        const digest = createHash('sha256').update(mode).update(path).update(existsSync(path) ? 'x' : '').digest('hex');
        if (cluster.applied[path] === digest) return;
        out(`diff ${path}`);
        process.exit(1);
      }
      case 'apply': {
        const [mode, path] = more.filter((arg) => !['--server-side', '--force-conflicts'].includes(arg));
        const digest = createHash('sha256').update(mode).update(path).update(existsSync(path) ? 'x' : '').digest('hex');
        const before = cluster.applied[path];
        cluster.applied[path] = digest;
        saveCluster();
        return out(`${path} ${before === digest ? 'unchanged' : 'created'}`);
      }
      case 'rollout':
        if (more[0] === 'status' || more[0] === 'restart') return out(`${more[1]} ok`);
        break;
      case 'wait':
        return out('pod/openbao-0 condition met');
      case 'exec': {
        const command = more.slice(more.indexOf('--') + 1);
        if (command[0] === '/opt/spire/bin/spire-server' && command[1] === 'bundle') return out(fakePki().ca);
        if (command[0] === 'psql') {
          // PostgreSQL's primary: the bootstrap SQL arrives on stdin, once.
          const postgres = load('postgres', { bootstrapped: false });
          if (command.includes('-c')) return out(postgres.bootstrapped ? '1' : '0');
          postgres.bootstrapped = true;
          postgres.script = readFileSync(0, 'utf8');
          return save('postgres', postgres);
        }
        if (command[0] === '/opt/spire/bin/spire-server' && command[1] === 'entry') {
          const [spiffeId] = takeFlag(command, '-spiffeID');
          return out(`Found 1 entry\nEntry ID         : zt-demo.0f1e\nSPIFFE ID        : ${spiffeId}`);
        }
        break;
      }
      case 'port-forward':
        if (more[0] === 'service/hubble-relay') return createServer().listen(Number(more[1].split(':')[0]), '127.0.0.1');
        return serveOpenBao(Number(more[1].split(':')[0]));
      case 'describe':
      case 'logs':
        return out('');
    }
    fail(`unsupported: ${args.join(' ')}`);
  },
};

/**
 * A fake SPIRE CA and an X.509-SVID of OpenBao's it signed (DNS localhost, as the real one has),
 * made once per fake cluster with the openssl CLI.
 */
function fakePki() {
  const files = ['ca.pem', 'ca.key', 'openbao.pem', 'openbao.key'].map((name) => join(STATE_DIR, name));
  if (!files.every(existsSync)) {
    const ssl = (...args) => execFileSync('openssl', args, { cwd: STATE_DIR, stdio: ['ignore', 'ignore', 'pipe'] });
    ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2',
      '-subj', '/O=fake SPIRE', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
    ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'openbao.key', '-out', 'openbao.csr', '-subj', '/O=fake');
    writeFileSync(join(STATE_DIR, 'openbao.ext'), 'subjectAltName=DNS:localhost,URI:spiffe://demo.local/ns/openbao/sa/openbao\n');
    ssl('x509', '-req', '-in', 'openbao.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'openbao.ext', '-out', 'openbao.pem');
  }
  const [ca, , cert, key] = files.map((file) => readFileSync(file, 'utf8'));
  return { ca, cert, key };
}

/**
 * A fake OpenBao HTTPS API with kind mode's static seal: seal status, init (recovery keys), and the
 * calls configure.sh makes. It unseals itself while the key in the Secret openbao/openbao-seal is
 * the one it was initialised with (a restarted server does so at once); an unseal key is refused.
 */
function serveOpenBao(port) {
  const bao = () => load('openbao', { initialized: false, sealed: true, mounts: { 'sys/': { type: 'system' } }, auth: { 'token/': { type: 'token' } }, kv: {} });
  const root = 's.fake-root-token-0123456789abcdef';
  const recoveryKey = 'ZmFrZS1yZWNvdmVyeS1rZXktMDEyMzQ1Njc4OQ==';
  const sealKey = () => load('cluster', { secrets: {} }).secrets['openbao/openbao-seal']?.key;
  const { cert, key } = fakePki();
  createTlsServer({ cert, key }, (req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const path = req.url.replace(/^\/v1\//, '');
      const body = raw ? JSON.parse(raw) : undefined;
      log({ tool: 'openbao', method: req.method, path, body, token: req.headers['x-vault-token'] === root ? 'root' : req.headers['x-vault-token'] ? 'other' : 'none' });
      const state = bao();
      const reply = (status, value) => {
        save('openbao', state);
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(value === undefined ? '' : JSON.stringify(value));
      };
      if (state.initialized && state.sealed && sealKey() === state.sealKey) state.sealed = false;
      if (path === 'sys/seal-status') return reply(200, { type: 'static', initialized: state.initialized, sealed: state.sealed });
      if (path === 'sys/init' && req.method === 'PUT') {
        if (state.initialized) return reply(400, { errors: ['Vault is already initialized'] });
        if (body?.secret_shares) return reply(400, { errors: ['parameters secret_shares,secret_threshold not applicable to seal type static'] });
        if (!sealKey()) return reply(500, { errors: ['error initializing seal: no key'] });
        Object.assign(state, { initialized: true, sealed: false, sealKey: sealKey() });
        return reply(200, { keys: [], keys_base64: [], recovery_keys: ['66616b65'], recovery_keys_base64: [recoveryKey], root_token: root });
      }
      if (path === 'sys/unseal' && req.method === 'PUT') return reply(400, { errors: ['cannot unseal using the unseal endpoint with an auto-unseal seal'] });
      if (state.sealed) return reply(503, { errors: ['Vault is sealed'] });
      if (req.headers['x-vault-token'] !== root) return reply(403, { errors: ['permission denied'] });
      // The audit device kind mode declares in OpenBao's configuration (values.yaml).
      if (path === 'sys/audit' && req.method === 'GET') return reply(200, { data: { 'stdout/': { type: 'file', options: { file_path: 'stdout' } } } });
      const mount = path.match(/^sys\/(mounts|auth)\/(.+)$/);
      if (req.method === 'GET' && (path === 'sys/mounts' || path === 'sys/auth')) return reply(200, { data: state[path.slice(4)] });
      if (mount && req.method === 'POST') {
        state[mount[1]][`${mount[2]}/`] = { type: body.type, options: body.options ?? {} };
        return reply(204);
      }
      if (path.startsWith('secret/data/')) {
        if (req.method === 'GET') return state.kv[path] ? reply(200, { data: { data: { key: 'x' } } }) : reply(404, { errors: [] });
        state.kv[path] = true;
        return reply(200, { data: { version: 1 } });
      }
      return req.method === 'GET' ? reply(404, { errors: [] }) : reply(204);
    });
  }).listen(port, '127.0.0.1');
}

log({ tool, args: argv });
if (!tools[tool]) fail('unknown tool');
tools[tool](argv);
