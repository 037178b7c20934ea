/** What the backend asks of OpenBao: the port, with node-vault behind it in production. */
export interface TokenGrant {
  token: string;
  ttlS: number;
  renewable: boolean;
  policies: string[];
}

export interface LeasedSecret<T> {
  data: T;
  leaseId: string;
  leaseDurationS: number;
}

export interface OpenBaoApi {
  setToken(token: string | undefined): void;
  jwtLogin(mount: string, role: string, jwt: string): Promise<TokenGrant>;
  renewSelf(incrementS: number): Promise<TokenGrant>;
  /** undefined when the path does not exist (404). */
  read<T>(path: string): Promise<LeasedSecret<T> | undefined>;
  write(path: string, body: Record<string, unknown>): Promise<void>;
  delete(path: string): Promise<void>;
  revokeLease(leaseId: string): Promise<void>;
}

export const OPENBAO_API = Symbol('OPENBAO_API');

/** An OpenBao answer other than success, or OpenBao not answering at all (status undefined). */
export class OpenBaoError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }

  get unreachable(): boolean {
    return this.status === undefined;
  }
}
