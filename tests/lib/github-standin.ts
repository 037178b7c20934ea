/**
 * A local stand-in for the few GitHub API routes the backend uses (GitHub is an outside service,
 * the one thing tests may replace). Token auth, GET /user and GET /user/repos with Link-header
 * pagination. POST /__control {"mode":"down"|"up"} makes it answer 503, to test "GitHub unreachable".
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export const GITHUB_STANDIN_PORT = 18900;

export interface StandinAccount {
  login: string;
  name: string;
  repos: number;
}

/** The tokens the stand-in accepts, and whose they are. */
export const STANDIN_TOKENS: Record<string, StandinAccount> = {
  ghp_standinJakeToken0000000000000000001: { login: 'jperalta', name: 'Jake Peralta', repos: 45 },
  ghp_standinAmyToken00000000000000000002: { login: 'asantiago', name: 'Amy Santiago', repos: 3 },
};

const LANGUAGES = ['TypeScript', 'Go', 'Rust', null];

function repo(account: StandinAccount, index: number) {
  const name = `case-file-${String(index + 1).padStart(3, '0')}`;
  return {
    id: index + 1,
    name,
    full_name: `${account.login}/${name}`,
    private: index % 5 === 0,
    html_url: `https://github.com/${account.login}/${name}`,
    description: index % 3 === 0 ? null : `Evidence for case ${index + 1}`,
    language: LANGUAGES[index % LANGUAGES.length],
    stargazers_count: (index * 7) % 50,
    updated_at: new Date(Date.UTC(2026, 10, 1) - index * 86_400_000).toISOString(),
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

export function startGithubStandin(port = GITHUB_STANDIN_PORT): Promise<Server> {
  let down = false;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (req.method === 'POST' && url.pathname === '/__control') {
      let raw = '';
      req.on('data', (chunk) => (raw += chunk));
      req.on('end', () => {
        down = (JSON.parse(raw || '{}') as { mode?: string }).mode === 'down';
        send(res, 200, { down });
      });
      return;
    }
    if (down) return send(res, 503, { message: 'Service Unavailable' });
    const token = /^(?:token|Bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const account = token ? STANDIN_TOKENS[token] : undefined;
    if (!account) return send(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });

    if (req.method === 'GET' && url.pathname === '/user') {
      return send(res, 200, {
        login: account.login,
        name: account.name,
        avatar_url: `https://avatars.githubusercontent.com/${account.login}`,
        html_url: `https://github.com/${account.login}`,
        public_repos: account.repos,
        followers: 99,
      });
    }
    if (req.method === 'GET' && url.pathname === '/user/repos') {
      const page = Math.max(1, Number(url.searchParams.get('page') ?? 1));
      const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 30)));
      const all = Array.from({ length: account.repos }, (_, index) => repo(account, index));
      const slice = all.slice((page - 1) * perPage, page * perPage);
      const last = Math.max(1, Math.ceil(all.length / perPage));
      const link = (p: number, rel: string) => `<http://127.0.0.1:${port}/user/repos?page=${p}&per_page=${perPage}>; rel="${rel}"`;
      const links = [...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []), ...(page > 1 ? [link(1, 'first'), link(page - 1, 'prev')] : [])];
      return send(res, 200, slice, links.length ? { link: links.join(', ') } : {});
    }
    send(res, 404, { message: 'Not Found' });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** Switches the stand-in between answering and failing with 503. */
export async function setGithubDown(down: boolean, port = GITHUB_STANDIN_PORT): Promise<void> {
  await fetch(`http://127.0.0.1:${port}/__control`, { method: 'POST', body: JSON.stringify({ mode: down ? 'down' : 'up' }) });
}
