/** What the backend asks of GitHub: the port, with octokit behind it. The shapes are the API contract's. */
import type { GithubProfile, GithubRepo } from '@zt-demo/api-contract';

export type { GithubProfile, GithubRepo };

export interface GithubApi {
  user(token: string): Promise<GithubProfile>;
  repos(token: string, page: number, perPage: number): Promise<{ repos: GithubRepo[]; hasNext: boolean }>;
}

export const GITHUB_API = Symbol('GITHUB_API');

/** GitHub answered 401: the token is wrong, expired or revoked. */
export class GithubTokenRejected extends Error {}
/** GitHub could not be reached or failed (network error, timeout, 5xx). */
export class GithubUnavailable extends Error {}
