/** Runs in every chain test file: the tests' client identity keeps a Workload API stream open; close it at the end. */
import { afterAll } from 'vitest';
import { closeTestClients } from '../lib/api-identity.ts';

afterAll(() => closeTestClients());
