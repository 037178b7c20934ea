import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { StackEnv } from './stack.ts';

/** A second backend process beside the one setup.sh started, and how to reach and stop it. */
export interface BackendReplica {
  /** The stack's environment with the replica's API and health addresses in place of the first's. */
  env: StackEnv;
  log: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts a second replica of the stack's backend: the same build, system user (so the same SPIFFE
 * ID from the SPIRE agent), settings, OpenBao and PostgreSQL as the running one, read from its
 * /proc entry, on ports of its own. It logs in to OpenBao and leases database credentials of its
 * own, as each replica in kind mode does. Needs root, as the chain suite does.
 */
export async function startBackendReplica(env: StackEnv): Promise<BackendReplica> {
  const pid = Number(readFileSync(join(env.ZT_RUN_DIR!, 'backend.pid'), 'utf8'));
  const proc = `/proc/${pid}`;
  const [command, ...args] = readFileSync(`${proc}/cmdline`, 'utf8').split('\0').filter(Boolean);
  const inherited = Object.fromEntries(
    readFileSync(`${proc}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  const { uid, gid } = statSync(proc);
  const [apiPort, healthPort] = [await freePort(), await freePort()];
  const log = join(env.ZT_LOG_DIR!, `backend-replica-${apiPort}.log`);
  const out = openSync(log, 'w');
  const child = spawn(command!, args, {
    cwd: readlinkSync(`${proc}/cwd`),
    env: { ...inherited, PORT: String(apiPort), HEALTH_PORT: String(healthPort) },
    uid,
    gid,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  const health = `http://127.0.0.1:${healthPort}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the backend replica exited (${child.exitCode}); see ${log}`);
    const ready = await fetch(`${health}/api/health/ready`).then((answer) => answer.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the backend replica did not become ready in 60 s; see ${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    env: { ...env, ZT_BACKEND_PORT: String(apiPort), ZT_BACKEND_URL: `https://localhost:${apiPort}`, ZT_BACKEND_HEALTH_PORT: String(healthPort), ZT_BACKEND_HEALTH_URL: health },
    log,
    stop,
  };
}
