/** The services of the zero-trust tests, and a TCP connection from one of the app's own pods. */
import { kubectl, type Run } from '../../lib/kind-cluster.ts';
import { podOf } from '../../lib/kind-probes.ts';

export const TARGETS = {
  backend: { host: 'backend.99-apps.svc.cluster.local', port: 8000, namespace: '99-apps' },
  openbao: { host: 'openbao.openbao.svc.cluster.local', port: 8200, namespace: 'openbao' },
  postgres: { host: 'postgres.data.svc.cluster.local', port: 5432, namespace: 'data' },
} as const;
export type Target = keyof typeof TARGETS;

/**
 * A TCP connection from an app pod, with the node.js the app images carry: from the pod podOf
 * names (each app runs two replicas), the one whose flows the tests then read in Hubble.
 */
export function connectFromApp(app: 'frontend' | 'backend', target: Target): Run {
  const { host, port } = TARGETS[target];
  const js = `require('net').connect({host:'${host}',port:${port},timeout:4000}).on('connect',function(){console.log('connected');this.destroy()}).on('timeout',function(){console.log('timeout');this.destroy()}).on('error',e=>console.log('error',e.code))`;
  return kubectl(['-n', '99-apps', 'exec', podOf('99-apps', `deployment/${app}`), '-c', app, '--', 'node', '-e', js]);
}

