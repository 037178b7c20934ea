/**
 * The kind suite: kind mode on a real cluster, from scripts/setup.sh --kind to
 * scripts/teardown.sh --kind. One file, so the parts run in this order against one cluster; each
 * part is a module of its own under suite/.
 *
 * ZT_KIND_PARTS=identity,network (for example) runs only those parts, against the cluster a
 * previous `scripts/test.sh --suite kind --keep` left up: for working on one part.
 */
import { afterAll } from 'vitest';
import { closeOpenbaoForward } from '../lib/kind-probes.ts';
import { faultsPart } from './suite/faults.ts';
import { haPart } from './suite/ha.ts';
import { identityPart } from './suite/identity.ts';
import { mutualAuthPart } from './suite/mutual-auth.ts';
import { networkPart } from './suite/network.ts';
import { setupParts } from './suite/setup.ts';
import { teardownPart } from './suite/teardown.ts';
import { tlsPart } from './suite/tls.ts';

const parts: Record<string, () => void> = {
  setup: setupParts,
  ha: haPart,
  identity: identityPart,
  network: networkPart,
  'mutual-auth': mutualAuthPart,
  tls: tlsPart,
  faults: faultsPart,
  teardown: teardownPart,
};
const only = process.env.ZT_KIND_PARTS?.split(',').filter(Boolean);
for (const [name, part] of Object.entries(parts)) {
  if (!only || only.includes(name)) part();
}

afterAll(() => closeOpenbaoForward());
