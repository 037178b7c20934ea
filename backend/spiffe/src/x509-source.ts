import { isTransientWorkloadError, WorkloadApiClient } from './workload-api-client.ts';
import { x509SvidFromMessage, type X509Svid, type X509SvidMessage } from './x509-svid.ts';

/** What the source reports; pino's logger fits, and so does a console-backed one. */
export interface SourceLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface X509SourceStatus {
  spiffeId: string;
  ok: boolean;
  serial?: string;
  expiresAt?: Date;
  /** How many times a new certificate replaced the one in use since the source started. */
  renewals: number;
  lastError?: string;
}

/** Anything that hands out the current X.509-SVID and says when it changes (a fake in unit tests). */
export interface X509SvidProvider {
  current(): X509Svid | undefined;
  onUpdate(listener: (svid: X509Svid) => void): () => void;
}

const silent: SourceLogger = { info: () => {}, warn: () => {} };

/**
 * One workload's X.509-SVID, kept in memory from the Workload API's stream: every renewal (and
 * every change of the trust bundle) replaces it and is announced to the listeners, which rebuild
 * their TLS contexts; nothing restarts. When the stream breaks (the agent restarts), it reconnects
 * with backoff and keeps the SVID it has meanwhile: it stays valid until it expires.
 */
export class X509Source implements X509SvidProvider {
  private readonly client: WorkloadApiClient;
  private readonly spiffeId: string;
  private readonly logger: SourceLogger;
  private readonly listeners = new Set<(svid: X509Svid) => void>();
  private svid?: X509Svid;
  private renewals = 0;
  private lastError?: string;
  private cancel?: () => void;
  private retryTimer?: NodeJS.Timeout;
  private attempt = 0;
  private closed = false;
  private readonly firstSvid: Promise<X509Svid>;
  private resolveFirst!: (svid: X509Svid) => void;

  /** spiffeId: the SVID to use when the caller is entitled to several (a shared uid, say). */
  constructor(endpoint: string, spiffeId: string, logger: SourceLogger = silent) {
    this.client = new WorkloadApiClient(endpoint);
    this.spiffeId = spiffeId;
    this.logger = logger;
    this.firstSvid = new Promise((resolve) => (this.resolveFirst = resolve));
  }

  start(): this {
    this.connect();
    return this;
  }

  /**
   * The current SVID once there is one (the renewed one after a renewal, never the first one
   * again); rejects after timeoutMs with the reason the agent gave, if it gave one.
   */
  ready(timeoutMs = 60_000): Promise<X509Svid> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no X.509-SVID for ${this.spiffeId} within ${timeoutMs / 1000}s${this.lastError ? ` (${this.lastError})` : ''}`)),
        timeoutMs,
      );
    });
    return Promise.race([this.firstSvid.then(() => this.svid!), timeout]).finally(() => clearTimeout(timer));
  }

  current(): X509Svid | undefined {
    return this.svid;
  }

  onUpdate(listener: (svid: X509Svid) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  status(): X509SourceStatus {
    const valid = this.svid !== undefined && this.svid.expiresAt.getTime() > Date.now();
    return { spiffeId: this.spiffeId, ok: valid, serial: this.svid?.serial, expiresAt: this.svid?.expiresAt, renewals: this.renewals, lastError: this.lastError };
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.cancel?.();
    this.client.close();
  }

  private connect(): void {
    if (this.closed) return;
    this.cancel = this.client.watchX509Svids(
      (messages) => this.receive(messages),
      (error) => this.reconnectAfter(error),
    );
  }

  private receive(messages: X509SvidMessage[]): void {
    const mine = messages.find((message) => message.spiffeId === this.spiffeId);
    if (!mine) {
      this.lastError = `the Workload API sent no X.509-SVID for ${this.spiffeId} (it sent ${messages.map((m) => m.spiffeId).join(', ') || 'none'})`;
      this.logger.warn({ spiffeId: this.spiffeId }, this.lastError);
      return;
    }
    let next: X509Svid;
    try {
      next = x509SvidFromMessage(mine);
    } catch (error) {
      this.lastError = (error as Error).message;
      this.logger.warn({ spiffeId: this.spiffeId, reason: this.lastError }, 'an X.509-SVID from the Workload API was unusable; keeping the one in use');
      return;
    }
    this.attempt = 0;
    this.lastError = undefined;
    const previous = this.svid;
    if (previous && previous.serial === next.serial && previous.bundlePem === next.bundlePem) return;
    this.svid = next;
    if (previous) this.renewals++;
    this.logger.info(
      { spiffeId: next.spiffeId, serial: next.serial, expiresAt: next.expiresAt.toISOString(), renewals: this.renewals },
      previous ? 'X.509-SVID renewed; new TLS connections use it' : 'X.509-SVID received',
    );
    this.resolveFirst(next);
    for (const listener of this.listeners) listener(next);
  }

  private reconnectAfter(error: Error): void {
    if (this.closed) return;
    this.lastError = error.message;
    const delayMs = Math.min(30_000, 500 * 2 ** Math.min(this.attempt++, 6));
    const log = isTransientWorkloadError(error) ? 'the X.509-SVID stream is not available yet or broke; reconnecting' : 'the X.509-SVID stream failed; reconnecting';
    this.logger.warn({ spiffeId: this.spiffeId, reason: error.message, delayMs }, log);
    this.retryTimer = setTimeout(() => this.connect(), delayMs);
    this.retryTimer.unref();
  }
}
