/**
 * Certificates for tests, made with the openssl CLI: a CA of any trust domain and X.509-SVIDs it
 * signs. The tests use them for what SPIRE must never hand out: a second trust domain's identity,
 * a self-signed server on an address the backend dials, an SVID in a stand-in Workload API.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificate {
  certPem: string;
  certDer: Buffer;
  keyPem: string;
  /** PKCS#8 DER, as the Workload API sends keys. */
  keyDer: Buffer;
}

export interface TestCa extends TestCertificate {
  trustDomain: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function read(dir: string, key: string, cert: string): TestCertificate {
  const keyPem = readFileSync(join(dir, key), 'utf8');
  const certPem = readFileSync(join(dir, cert), 'utf8');
  return {
    certPem,
    certDer: Buffer.from(new X509Certificate(certPem).raw),
    keyPem,
    keyDer: createPrivateKey(keyPem).export({ format: 'der', type: 'pkcs8' }) as Buffer,
  };
}

function inTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'zt-certs-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A CA for `trustDomain`, the way SPIRE makes one (its SPIFFE ID is the trust domain's). */
export function createCa(trustDomain: string): TestCa {
  return inTempDir((dir) => {
    openssl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key']);
    openssl(dir, ['req', '-x509', '-new', '-key', 'ca.key', '-days', '2', '-subj', `/O=test/CN=${trustDomain}`,
      '-addext', `subjectAltName=URI:spiffe://${trustDomain}`, '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'ca.pem']);
    return { ...read(dir, 'ca.key', 'ca.pem'), trustDomain };
  });
}

/**
 * An X.509-SVID for `spiffeId` signed by `ca` (any trust domain: a CA may sign what it likes, and
 * that is exactly what a verifier must catch), or self-signed when `ca` is undefined.
 */
export function issueSvid(ca: TestCa | undefined, spiffeId: string, options: { dnsNames?: string[]; seconds?: number } = {}): TestCertificate {
  return inTempDir((dir) => {
    const san = [`URI:${spiffeId}`, ...(options.dnsNames ?? []).map((name) => `DNS:${name}`)].join(',');
    writeFileSync(join(dir, 'ext.cnf'), [
      `subjectAltName=${san}`,
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment,keyAgreement',
      'extendedKeyUsage=serverAuth,clientAuth',
    ].join('\n'));
    openssl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'leaf.key']);
    const days = String(Math.max(1, Math.ceil((options.seconds ?? 86_400) / 86_400)));
    if (ca) {
      writeFileSync(join(dir, 'ca.key'), ca.keyPem);
      writeFileSync(join(dir, 'ca.pem'), ca.certPem);
      openssl(dir, ['req', '-new', '-key', 'leaf.key', '-subj', '/O=test', '-out', 'leaf.csr']);
      openssl(dir, ['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
        '-days', days, '-extfile', 'ext.cnf', '-out', 'leaf.pem']);
    } else {
      openssl(dir, ['req', '-x509', '-new', '-key', 'leaf.key', '-subj', '/O=test', '-days', days, '-extensions', 'v3', '-config', writeSelfSignedConfig(dir, san), '-out', 'leaf.pem']);
    }
    return read(dir, 'leaf.key', 'leaf.pem');
  });
}

function writeSelfSignedConfig(dir: string, san: string): string {
  const path = join(dir, 'self.cnf');
  writeFileSync(path, ['[req]', 'distinguished_name=dn', '[dn]', '[v3]', `subjectAltName=${san}`, 'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment,keyAgreement', 'extendedKeyUsage=serverAuth,clientAuth'].join('\n'));
  return path;
}
