import { Octokit } from 'octokit';
import { GithubTokenRejected, GithubUnavailable, type GithubApi, type GithubProfile, type GithubRepo } from './github-api.js';

/** Adapter: GitHub's REST API through octokit, at a configurable base URL (GITHUB_API_URL). */
export class OctokitAdapter implements GithubApi {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  private client(token: string): Octokit {
    // no retries or throttling plugins' waiting: a demo should answer or fail fast
    return new Octokit({ auth: token, baseUrl: this.baseUrl, request: { retries: 0, signal: AbortSignal.timeout(this.timeoutMs) }, retry: { enabled: false }, throttle: { enabled: false } });
  }

  async user(token: string): Promise<GithubProfile> {
    const { data } = await this.call(() => this.client(token).rest.users.getAuthenticated());
    return { login: data.login, name: data.name ?? null, avatar_url: data.avatar_url, html_url: data.html_url, public_repos: data.public_repos, followers: data.followers };
  }

  async repos(token: string, page: number, perPage: number): Promise<{ repos: GithubRepo[]; hasNext: boolean }> {
    const response = await this.call(() => this.client(token).rest.repos.listForAuthenticatedUser({ page, per_page: perPage, sort: 'updated' }));
    const repos = response.data.map((repo) => ({
      name: repo.name,
      full_name: repo.full_name,
      private: repo.private,
      html_url: repo.html_url,
      description: repo.description ?? null,
      language: repo.language ?? null,
      stargazers_count: repo.stargazers_count,
      updated_at: repo.updated_at ?? null,
    }));
    return { repos, hasNext: /rel="next"/.test(response.headers.link ?? '') };
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 401) throw new GithubTokenRejected('GitHub rejected the token');
      throw new GithubUnavailable(`GitHub did not answer usefully (${status ?? (error as Error).name})`);
    }
  }
}
