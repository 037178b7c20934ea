import type { Metadata } from 'next';
import Link from 'next/link';
import { Alert, Card, PageShell } from '@/components/ui';
import { deleteGithubToken } from '@/lib/actions';
import { GithubProfile, GithubReposResponse, GithubStatus } from '@zt-demo/api-contract';
import { backend, BackendError } from '@/lib/backend';
import { requireSession } from '@/lib/session';
import { TokenForm } from './token-form';

export const metadata: Metadata = { title: 'GitHub' };

const PER_PAGE = 10;

async function githubData(page: number) {
  try {
    const [profile, repos] = await Promise.all([
      backend('/api/github/user', GithubProfile),
      backend(`/api/github/repos?page=${page}&per_page=${PER_PAGE}`, GithubReposResponse),
    ]);
    return { profile, repos };
  } catch (error) {
    if (error instanceof BackendError && error.code === 'github_unavailable') return { problem: 'GitHub cannot be reached right now. Try again later.' };
    if (error instanceof BackendError && error.code === 'invalid_github_token') return { problem: 'GitHub no longer accepts the saved token. Replace it below.' };
    throw error;
  }
}

export default async function GithubPage({ searchParams }: { searchParams: Promise<{ page?: string }> }) {
  await requireSession(); // a session the backend refuses goes to /login before anything else
  const page = Math.max(1, Number.parseInt((await searchParams).page ?? '1', 10) || 1);
  const status = await backend('/api/github/status', GithubStatus);
  const data = status.configured ? await githubData(page) : undefined;
  return (
    <PageShell title="GitHub">
      <div className="grid gap-4 md:grid-cols-3">
        <Card title="Token" className="md:col-span-1">
          {status.configured ? (
            <dl className="mb-4 space-y-1 text-sm" data-testid="github-status">
              <dt className="text-slate-500">Connected as</dt>
              <dd className="font-medium">{status.login}</dd>
              {status.configured_at && (<><dt className="text-slate-500">Configured</dt><dd>{new Date(status.configured_at).toUTCString()}</dd></>)}
              {status.last_accessed && (<><dt className="text-slate-500">Last used</dt><dd>{new Date(status.last_accessed).toUTCString()}</dd></>)}
            </dl>
          ) : (
            <p className="mb-4 text-sm text-slate-600" data-testid="github-status">Not configured. The token is kept in OpenBao, never in the database or the browser.</p>
          )}
          <TokenForm replacing={status.configured} />
          {status.configured && (
            <form action={deleteGithubToken} className="mt-3">
              <button type="submit" className="text-sm text-red-700 underline">Delete the token</button>
            </form>
          )}
        </Card>
        <div className="space-y-4 md:col-span-2">
          {data?.problem && <Alert kind="error">{data.problem}</Alert>}
          {data?.profile && (
            <Card title="Profile">
              <div className="flex items-center gap-4" data-testid="github-profile">
                {/* eslint-disable-next-line @next/next/no-img-element */}
                <img src={data.profile.avatar_url} alt="" width={56} height={56} className="rounded-full bg-slate-200" />
                <div>
                  <a href={data.profile.html_url} className="font-semibold text-precinct-800 underline" target="_blank" rel="noreferrer">{data.profile.login}</a>
                  <p className="text-sm text-slate-600">{data.profile.name} · {data.profile.public_repos} public repositories · {data.profile.followers} followers</p>
                </div>
              </div>
            </Card>
          )}
          {data?.repos && (
            <Card title={`Repositories · page ${page}`}>
              <ul className="divide-y divide-slate-100" data-testid="repo-list">
                {data.repos.repos.map((repo) => (
                  <li key={repo.full_name} className="flex flex-wrap items-baseline gap-x-3 py-2 text-sm">
                    <a href={repo.html_url} target="_blank" rel="noreferrer" className="font-medium text-precinct-800 underline">{repo.full_name}</a>
                    {repo.private && <span className="rounded bg-badge-400 px-1.5 text-xs font-semibold text-precinct-950">private</span>}
                    {repo.language && <span className="text-slate-500">{repo.language}</span>}
                    <span className="text-slate-500">★ {repo.stargazers_count}</span>
                    {repo.description && <span className="w-full text-slate-600">{repo.description}</span>}
                  </li>
                ))}
              </ul>
              <nav className="mt-3 flex gap-4 text-sm" aria-label="Pages">
                {page > 1 && <Link href={`/github?page=${page - 1}`} className="text-precinct-600 underline">← Previous</Link>}
                {data.repos.has_next && <Link href={`/github?page=${page + 1}`} className="text-precinct-600 underline">Next →</Link>}
              </nav>
            </Card>
          )}
        </div>
      </div>
    </PageShell>
  );
}
