// Benchmarks the running backend (start it with scripts/setup.sh; bench/run.sh checks that).
// One run reports: login throughput next to raw bcrypt cost-12 throughput on this machine (the
// physical limit for login), p50/p99 latency and throughput of GET /api/auth/me and of a
// database-backed route, and how many OpenBao calls those requests caused (it must be none).
// The API is mutual TLS: the benchmark presents an X.509-SVID the backend admits, from BENCH_TLS_DIR
// (svid.pem, key.pem, bundle.pem; bench/run.sh mints one for the frontend's SPIFFE ID).
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import bcrypt from 'bcrypt';

const BACKEND = process.env.BACKEND_URL ?? 'https://localhost:8000';
const HEALTH = process.env.BACKEND_HEALTH_URL ?? 'http://127.0.0.1:8001';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const TLS_DIR = process.env.BENCH_TLS_DIR;
if (!TLS_DIR) throw new Error('BENCH_TLS_DIR must name a directory with svid.pem, key.pem and bundle.pem (bench/run.sh makes one)');
const tls = { cert: readFileSync(join(TLS_DIR, 'svid.pem')), key: readFileSync(join(TLS_DIR, 'key.pem')), ca: readFileSync(join(TLS_DIR, 'bundle.pem')) };

const json = (method, body, token) => ({
  method,
  headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
  body: body && JSON.stringify(body),
});

/** One call to the API over mutual TLS (the server verified against the bundle and its name). */
function call(path, { method, headers, body }) {
  return new Promise((resolve, reject) => {
    const req = request(`${BACKEND}${path}`, { method, headers, ...tls }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk) => (text += chunk)).on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject).end(body);
  });
}

async function login(username) {
  const response = await call('/api/auth/login', json('POST', { username, password: `${username}99` }));
  if (response.status !== 200) throw new Error(`login failed (${response.status}); is the backend up? run scripts/setup.sh`);
  return JSON.parse(response.text).access_token;
}

/** From the plain health-and-metrics port. */
async function openbaoCalls() {
  const text = await (await fetch(`${HEALTH}/metrics`)).text();
  return [...text.matchAll(/^zt_openbao_requests_total\{[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

function load(title, path, options, connections = CONNECTIONS) {
  return new Promise((resolve, reject) => {
    // autocannon presents the client certificate but does not verify the server (it forces
    // rejectUnauthorized off); call() above does, and the backend verifies autocannon's.
    autocannon({ url: `${BACKEND}${path}`, connections, duration: SECONDS, tlsOptions: tls, ...options }, (error, result) => {
      if (error) return reject(error);
      const failed = result.non2xx + result.errors + result.timeouts;
      resolve({ title, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, total: result.requests.total, failed });
    });
  });
}

/** bcrypt.compare at cost 12 with as many in flight as libuv's pool has threads (what the backend gets). */
async function bcryptThroughput() {
  const hash = await bcrypt.hash('jake99', 12);
  const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  let done = 0;
  const until = Date.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: threads }, async () => {
    while (Date.now() < until) {
      await bcrypt.compare('jake99', hash);
      done++;
    }
  }));
  return done / SECONDS;
}

const row = (r) => `| ${r.title} | ${r.rps.toFixed(1)} | ${r.p50} | ${r.p99} | ${r.total} | ${r.failed} |`;

async function main() {
  const token = await login('jake');
  const lines = [];
  process.stderr.write(`benchmarking ${BACKEND}: ${SECONDS}s per run, ${CONNECTIONS} connections\n`);

  process.stderr.write('  raw bcrypt cost 12 ...\n');
  const bcryptRate = await bcryptThroughput();
  process.stderr.write('  POST /api/auth/login ...\n');
  const loginRun = await load('POST /api/auth/login (bcrypt cost 12)', '/api/auth/login', json('POST', { username: 'jake', password: 'jake99' }), 8);

  const before = await openbaoCalls();
  process.stderr.write('  GET /api/auth/me ...\n');
  const me = await load('GET /api/auth/me (JWT check + 1 query)', '/api/auth/me', json('GET', undefined, token));
  process.stderr.write('  GET /api/github/status ...\n');
  const status = await load('GET /api/github/status (JWT check + 1 query)', '/api/github/status', json('GET', undefined, token));
  const openbaoDuring = (await openbaoCalls()) - before;

  lines.push(`Machine: ${availableParallelism()} cores (${cpus()[0]?.model.trim()}), Node ${process.version}; backend, PostgreSQL, OpenBao and SPIRE on the same machine; ${SECONDS} s per run.`);
  lines.push('');
  lines.push('| Route | req/s | p50 ms | p99 ms | requests | failed |');
  lines.push('|---|---|---|---|---|---|');
  lines.push(row(loginRun), row(me), row(status));
  lines.push('');
  lines.push(`Raw bcrypt cost-12 compares on this machine, ${process.env.UV_THREADPOOL_SIZE ?? 4} at a time (libuv's default pool): **${bcryptRate.toFixed(1)}/s**. Login reached ${((loginRun.rps / bcryptRate) * 100).toFixed(0)} % of it.`);
  lines.push(`OpenBao calls caused by the ${me.total + status.total} requests to /api/auth/me and /api/github/status: **${openbaoDuring}** (zt_openbao_requests_total before and after).`);
  console.log(lines.join('\n'));
  if (openbaoDuring !== 0 || me.failed || status.failed || loginRun.failed) process.exitCode = 1;
}

main().catch((error) => {
  console.error(`error: ${error.message}`);
  process.exit(1);
});
