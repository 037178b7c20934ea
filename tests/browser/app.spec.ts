/**
 * The app as a person uses it, in Debian's Chromium, against the real chain: login as the squad,
 * registration, the session cookie, GitHub through the local stand-in, and the live zero-trust
 * console with an admin's rotation while another tab keeps loading database-backed pages.
 * Screenshots of each page go to docs/screenshots/.
 */
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import { closeTestClients } from '../lib/api-identity.ts';
import { api } from '../lib/backend.ts';
import { STANDIN_TOKENS } from '../lib/github-standin.ts';
import { identity } from '../lib/identity.ts';
import { loadStackEnv } from '../lib/stack.ts';
import { repoPath } from '../lib/repo.ts';
import { TEST_STACK_ENV } from '../lib/test-stack.ts';

const SQUAD = [
  ['jake', 'user'],
  ['amy', 'user'],
  ['rosa', 'user'],
  ['terry', 'admin'],
  ['charles', 'user'],
  ['gina', 'admin'],
] as const;
const [JAKE_GITHUB_TOKEN] = Object.keys(STANDIN_TOKENS) as [string];

const shot = (page: Page, name: string) => page.screenshot({ path: repoPath('docs', 'screenshots', `${name}.png`), fullPage: true });

async function signIn(page: Page, username: string, password = `${username}99`): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
}

test.describe('signing in', () => {
  test('the login page lists the demo users', async ({ page }) => {
    await page.goto('/login');
    for (const [user] of SQUAD) await expect(page.getByRole('cell', { name: user, exact: true })).toBeVisible();
    await shot(page, 'login');
  });

  for (const [user, role] of SQUAD) {
    test(`${user} signs in and reaches the dashboard as ${role}`, async ({ page }) => {
      await signIn(page, user);
      await expect(page.getByRole('heading', { name: `Welcome back, ${user}` })).toBeVisible();
      await expect(page.getByTestId('role')).toHaveText(role);
      if (user === 'jake') await shot(page, 'dashboard');
    });
  }

  test('a wrong password shows the error', async ({ page }) => {
    await page.goto('/login');
    await page.getByLabel('Username').fill('amy');
    await page.getByLabel('Password').fill('not-amy');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('main').getByRole('alert')).toHaveText('Wrong username or password.');
    await expect(page).toHaveURL(/\/login$/);
  });

  test('a new user registers, with inline validation, and lands on the dashboard', async ({ page }) => {
    const username = `scully_${Date.now().toString(36)}`;
    await page.goto('/register');
    await page.getByLabel('Username').fill('No');
    await page.getByLabel('Email (optional)').click();
    await expect(page.getByText('Use 3 to 50 characters: a-z, 0-9, _ . -')).toBeVisible();
    await shot(page, 'register');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill('scully99');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByRole('heading', { name: `Welcome back, ${username}` })).toBeVisible();
    // and the new account signs in again later
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, username, 'scully99');
  });

  test('after 10 failed attempts the login page says to wait', async ({ page }) => {
    const username = `target_${Date.now().toString(36)}`;
    // straight to the backend's mutual-TLS API, as the tests' own client identity
    const registered = await api(loadStackEnv(), 'POST', '/api/auth/register', { body: { username, password: 'right-password' } });
    closeTestClients();
    expect(registered.status).toBe(201);
    await page.goto('/login');
    for (let attempt = 0; attempt <= 10; attempt++) {
      await page.getByLabel('Username').fill(username);
      await page.getByLabel('Password').fill(`wrong-${attempt}`);
      // each attempt must finish (the Server Action's POST answered) before the next is typed
      await Promise.all([
        page.waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/login'),
        page.getByRole('button', { name: 'Sign in' }).click(),
      ]);
      await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
    }
    await expect(page.getByRole('main').getByRole('alert')).toHaveText(/^Too many failed sign-ins for this user from your address; try again in \d+ s\.$/);
  });
});

test.describe('the session', () => {
  test('protected pages send a signed-out visitor to /login, remembering the page', async ({ page }) => {
    for (const path of ['/dashboard', '/github', '/security']) {
      await page.goto(path);
      await expect(page).toHaveURL(new RegExp(`/login\\?next=${encodeURIComponent(path)}$`));
    }
  });

  test('lives in an httpOnly cookie, never in localStorage, and sign-out ends it', async ({ page, context }) => {
    await signIn(page, 'rosa');
    const cookie = (await context.cookies()).find((candidate) => candidate.name === 'zt_session');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage }) + document.cookie)).not.toMatch(/eyJ/);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/login\?signedOut=1$/);
    await page.goto('/dashboard');
    await expect(page).toHaveURL(/\/login\?next=%2Fdashboard$/);
    // ended on the server too: the token the cookie held is refused, wherever it was copied to
    try {
      const replayed = await api(loadStackEnv(), 'GET', '/api/auth/me', { token: cookie!.value });
      expect(replayed.status).toBe(401);
    } finally {
      await closeTestClients();
    }
  });

  test('an expired session goes back to login with a message', async ({ page, context }) => {
    const exp = Math.floor(Date.now() / 1000) - 60;
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    await context.addCookies([{ name: 'zt_session', value: `${part({ alg: 'HS256' })}.${part({ user_id: 1, username: 'jake', role: 'user', exp })}.x`, url: 'http://localhost:13000' }]);
    await page.goto('/dashboard');
    await expect(page).toHaveURL(/\/login\?expired=1&next=%2Fdashboard$/);
    await expect(page.getByText('Your session expired')).toBeVisible();
  });

  test('a session the backend refuses (signed with an earlier key) shows nothing, ends at /login and returns to the page after sign-in', async ({ page, context }) => {
    const now = Math.floor(Date.now() / 1000);
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = part({ user_id: 1, username: 'jake', role: 'admin', jti: '0b7c8f3e-2d4a-4c1b-9e6f-5a3d2c1b0a99', iat: now, exp: now + 3600 });
    const signature = createHmac('sha256', 'an earlier key').update(`${part({ alg: 'HS256', typ: 'JWT' })}.${claims}`).digest('base64url');
    await context.addCookies([{ name: 'zt_session', value: `${part({ alg: 'HS256', typ: 'JWT' })}.${claims}.${signature}`, url: 'http://localhost:13000' }]);
    await page.goto('/github?page=2');
    await expect(page).toHaveURL(/\/login\?expired=1&next=%2Fgithub%3Fpage%3D2$/);
    await expect(page.getByText('Your session expired')).toBeVisible();
    await expect(page.getByText('jake · admin')).toHaveCount(0); // the claims were never shown
    await page.getByLabel('Username').fill('amy');
    await page.getByLabel('Password').fill('amy99');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/github\?page=2$/);
    await expect(page.getByText('amy · user')).toBeVisible();
  });
});

test.describe('security headers', () => {
  test('no page may be framed by another site, leak its address, or be sniffed into another type', async ({ page }) => {
    await signIn(page, 'amy');
    for (const path of ['/login', '/register', '/dashboard', '/security']) {
      const response = await page.request.get(path, { maxRedirects: 0 });
      expect(response.status(), path).toBe(200);
      const headers = response.headers();
      expect(headers['content-security-policy'], path).toContain("frame-ancestors 'none'");
      expect(headers['x-frame-options'], path).toBe('DENY');
      expect(headers['referrer-policy'], path).toBe('same-origin');
      expect(headers['x-content-type-options'], path).toBe('nosniff');
    }
  });

  test('a page on another localhost port (same site: the cookie goes along) cannot frame the console', async ({ page }) => {
    await signIn(page, 'terry');
    const attacker = createServer((_, response) => response.end('<iframe src="http://localhost:13000/security" width="600" height="400"></iframe>'));
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    try {
      await page.goto(`http://localhost:${(attacker.address() as AddressInfo).port}/`);
      // Chromium replaces a frame it refuses to render with its error page.
      await expect.poll(() => page.frames().map((frame) => frame.url()), { timeout: 10_000 }).toContain('chrome-error://chromewebdata/');
      expect(page.frames().map((frame) => frame.url())).not.toContain('http://localhost:13000/security');
    } finally {
      attacker.close();
    }
  });
});

test.describe('GitHub', () => {
  test('an invalid token is refused with the right message', async ({ page }) => {
    await signIn(page, 'charles');
    await page.goto('/github');
    await expect(page.getByTestId('github-status')).toContainText('Not configured');
    await page.getByLabel('Personal access token').fill('ghp_definitelyNotValid0000000000000000');
    await page.getByRole('button', { name: 'Save token' }).click();
    await expect(page.getByRole('main').getByRole('alert')).toHaveText('GitHub does not accept this token (wrong, expired or revoked).');
  });

  test('a token is configured, profile and repositories show, pages turn, and the token never reaches the browser', async ({ page }) => {
    const bodies: string[] = [];
    page.on('response', async (response) => {
      bodies.push(await response.text().catch(() => ''));
    });
    await signIn(page, 'jake');
    await page.goto('/github');
    if (await page.getByRole('button', { name: 'Delete the token' }).isVisible()) await page.getByRole('button', { name: 'Delete the token' }).click();
    await page.getByLabel(/token/i).first().fill(JAKE_GITHUB_TOKEN);
    await page.getByRole('button', { name: 'Save token' }).click();
    await expect(page.getByRole('main').getByRole('status')).toHaveText('Connected as jperalta.');
    await page.goto('/github');
    await expect(page.getByTestId('github-profile')).toContainText('jperalta');
    await expect(page.getByTestId('repo-list').getByRole('listitem')).toHaveCount(10);
    await expect(page.getByTestId('repo-list')).toContainText('private');
    await shot(page, 'github');
    await page.getByRole('link', { name: 'Next →' }).click();
    await expect(page).toHaveURL(/page=2/);
    await expect(page.getByTestId('repo-list')).toContainText('jperalta/case-file-011');
    expect(await page.content()).not.toContain(JAKE_GITHUB_TOKEN);
    expect(bodies.some((body) => body.includes(JAKE_GITHUB_TOKEN))).toBe(false);
    await expect(page.getByLabel(/token/i).first()).toHaveValue('');
  });
});

test.describe('a phone-sized screen', () => {
  test.use({ viewport: { width: 375, height: 740 } });

  test('every page fits the width: nothing scrolls sideways', async ({ page }) => {
    await page.goto('/login');
    const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    expect(await fits()).toBe(true);
    await signIn(page, 'gina');
    for (const path of ['/dashboard', '/github', '/security']) {
      await page.goto(path);
      await page.waitForLoadState('networkidle');
      expect(await fits(), path).toBe(true);
    }
    await shot(page, 'security-phone');
  });
});

test.describe('the zero-trust console', () => {
  test('shows the live chain; a non-admin has no rotate button', async ({ page }) => {
    await signIn(page, 'amy');
    await page.goto('/security');
    await expect(page.getByTestId('spiffe-id')).toHaveText('spiffe://demo.local/ns/99-apps/sa/backend');
    await expect(page.getByTestId('console-db-username')).toHaveText(/^v-/);
    await expect(page.getByTestId('pool-gauges').getByRole('meter')).toHaveCount(3);
    await expect(page.getByRole('button', { name: 'Rotate credentials now' })).toHaveCount(0);
    // every hop's peer, by the SPIFFE ID it proved in TLS, with its certificate's remaining life
    await expect(page.getByTestId('tls-hop-backend')).toContainText(identity.spiffeIds.backend);
    await expect(page.getByTestId('tls-hop-caller')).toContainText(identity.spiffeIds.frontend);
    await expect(page.getByTestId('tls-hop-openbao')).toContainText(identity.spiffeIds.openbao);
    await expect(page.getByTestId('tls-hop-postgres')).toContainText(identity.spiffeIds.postgres);
    await expect(page.getByTestId('tls-svid-frontend')).toContainText(/expires in .* renewed \d+× since start/);
  });

  test('an admin rotates: the new user appears, the old one vanishes, and another tab sees no error', async ({ page, context }) => {
    await signIn(page, 'terry');
    await page.goto('/security');
    const before = (await page.getByTestId('console-db-username').textContent())!;
    expect(before).toMatch(/^v-/);

    const other = await context.newPage(); // keeps loading database-backed pages during the rotation
    let loads = 0;
    let errors = 0;
    let busy = true;
    const loading = (async () => {
      while (busy) {
        const response = await other.goto('/dashboard');
        loads++;
        if (!response?.ok() || (await other.getByText('could not be loaded').count()) > 0) errors++;
      }
    })();

    await expect.poll(() => loads, { timeout: 30_000 }).toBeGreaterThan(0); // loading before the rotation...
    await page.getByRole('button', { name: 'Rotate credentials now' }).click();
    await expect(page.getByRole('main').getByRole('status')).toContainText(`Rotated: ${before} →`);
    await expect(page.getByTestId('console-db-username')).not.toHaveText(before);
    const after = (await page.getByTestId('console-db-username').textContent())!;
    await expect(page.getByTestId('db-users')).toContainText(after);
    await expect(page.getByTestId('db-users')).not.toContainText(before);
    await shot(page, 'security');
    const afterRotation = loads;
    await expect.poll(() => loads, { timeout: 30_000 }).toBeGreaterThanOrEqual(afterRotation + 2); // ...and after it
    busy = false;
    await loading;
    expect(errors).toBe(0);
  });
});
