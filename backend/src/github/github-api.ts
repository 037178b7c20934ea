/** What the backend asks of GitHub: the port, with octokit behind it. */
export interface GithubProfile {
  login: string;
  name: string | null;
  avatar_url: string;
  html_url: string;
  public_repos: number;
  followers: number;
}

export interface GithubRepo {
  name: string;
  full_name: string;
  private: boolean;
  html_url: string;
  description: string | null;
  language: string | null;
  stargazers_count: number;
  updated_at: string | null;
}

export interface GithubApi {
  user(token: string): Promise<GithubProfile>;
  repos(token: string, page: number, perPage: number): Promise<{ repos: GithubRepo[]; hasNext: boolean }>;
}

export const GITHUB_API = Symbol('GITHUB_API');

/** GitHub answered 401: the token is wrong, expired or revoked. */
export class GithubTokenRejected extends Error {}
/** GitHub could not be reached or failed (network error, timeout, 5xx). */
export class GithubUnavailable extends Error {}
