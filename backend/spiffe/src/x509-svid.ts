import { createPrivateKey, X509Certificate } from 'node:crypto';

/** An X.509-SVID as TLS needs it: PEM, with the trust bundle it came with. */
export interface X509Svid {
  spiffeId: string;
  /** The leaf, then any intermediates, PEM. */
  certChainPem: string;
  /** The leaf's private key, PKCS#8 PEM. Never logged. */
  keyPem: string;
  /** The trust domain's CA certificates, PEM: what a peer's certificate must chain to. */
  bundlePem: string;
  hint: string;
  serial: string;
  notBefore: Date;
  expiresAt: Date;
  /** DNS names in the leaf's subjectAltName (from the registration entry). */
  dnsNames: string[];
}

/** One SVID of a FetchX509SVID response, fields as grpc-js decodes them. */
export interface X509SvidMessage {
  spiffeId: string;
  x509Svid: Buffer;
  x509SvidKey: Buffer;
  bundle: Buffer;
  hint?: string;
}

/**
 * Splits concatenated ASN.1 DER values (the Workload API's certificate lists) into one buffer per
 * value, by reading each outer SEQUENCE's length.
 */
export function splitDer(der: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < der.length) {
    if (der[offset] !== 0x30 || offset + 2 > der.length) throw new Error(`not a DER SEQUENCE at byte ${offset}`);
    let length = der[offset + 1]!;
    let header = 2;
    if (length & 0x80) {
      const bytes = length & 0x7f;
      if (bytes < 1 || bytes > 4 || offset + 2 + bytes > der.length) throw new Error(`unsupported or truncated DER length at byte ${offset}`);
      length = 0;
      for (let i = 0; i < bytes; i++) length = length * 256 + der[offset + 2 + i]!;
      header += bytes;
    }
    const end = offset + header + length;
    if (end > der.length) throw new Error('truncated DER value');
    parts.push(der.subarray(offset, end));
    offset = end;
  }
  return parts;
}

export function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** The SPIFFE ID in a certificate's subjectAltName ("URI:spiffe://..."), as Node reports it. */
export function spiffeIdOfSan(subjectAltName: string | undefined): string | undefined {
  for (const entry of (subjectAltName ?? '').split(', ')) {
    if (entry.startsWith('URI:spiffe://')) return entry.slice('URI:'.length);
  }
  return undefined;
}

/** A Workload API message as PEM, checked: the leaf must carry the SPIFFE ID the message names. */
export function x509SvidFromMessage(message: X509SvidMessage): X509Svid {
  const chain = splitDer(message.x509Svid);
  const leafDer = chain[0];
  if (!leafDer) throw new Error(`the Workload API sent an empty certificate chain for ${message.spiffeId}`);
  const leaf = new X509Certificate(leafDer);
  const inCertificate = spiffeIdOfSan(leaf.subjectAltName);
  if (inCertificate !== message.spiffeId) {
    throw new Error(`the X.509-SVID for ${message.spiffeId} names ${inCertificate ?? 'no SPIFFE ID'} in its certificate`);
  }
  const key = createPrivateKey({ key: message.x509SvidKey, format: 'der', type: 'pkcs8' });
  return {
    spiffeId: message.spiffeId,
    certChainPem: chain.map((der) => pem('CERTIFICATE', der)).join(''),
    keyPem: key.export({ format: 'pem', type: 'pkcs8' }) as string,
    bundlePem: splitDer(message.bundle).map((der) => pem('CERTIFICATE', der)).join(''),
    hint: message.hint ?? '',
    serial: leaf.serialNumber,
    notBefore: leaf.validFromDate,
    expiresAt: leaf.validToDate,
    dnsNames: (leaf.subjectAltName ?? '')
      .split(', ')
      .filter((entry) => entry.startsWith('DNS:'))
      .map((entry) => entry.slice('DNS:'.length)),
  };
}
