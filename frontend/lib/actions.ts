'use server';

import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { revalidatePath } from 'next/cache';
import { GithubConfigureResponse, LoginResponse, RegisterResponse, RotateResponse } from '@zt-demo/api-contract';
import { backend, BackendError, SESSION_COOKIE } from './backend';
import { isLocalPath } from './paths';
import { loginUrl } from './session';

export interface FormState {
  error?: string;
  fields?: Record<string, string>;
  ok?: string;
}

async function setSessionCookie(token: string, maxAge: number): Promise<void> {
  const secure = (await headers()).get('x-forwarded-proto') === 'https';
  (await cookies()).set(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge });
}

/** A protected call failed because the session is gone: back to the login page, with a message. */
async function expiredRedirect(error: unknown): Promise<void> {
  if (error instanceof BackendError && error.status === 401) redirect(await loginUrl(true));
}

export async function login(_: FormState, form: FormData): Promise<FormState> {
  let result: LoginResponse;
  try {
    result = await backend('/api/auth/login', LoginResponse, { method: 'POST', body: { username: String(form.get('username') ?? ''), password: String(form.get('password') ?? '') } });
  } catch (error) {
    // The backend's message says how long to wait.
    if (error instanceof BackendError && error.code === 'rate_limited') return { error: error.message };
    if (error instanceof BackendError && (error.code === 'invalid_credentials' || error.code === 'validation_failed')) return { error: 'Wrong username or password.' };
    return { error: error instanceof BackendError ? error.message : 'Sign-in failed.' };
  }
  await setSessionCookie(result.access_token, result.expires_in);
  // back to the page that sent the visitor here, if it is one of ours
  const next = form.get('next');
  redirect(typeof next === 'string' && isLocalPath(next) ? next : '/dashboard');
}

export async function register(_: FormState, form: FormData): Promise<FormState> {
  const username = String(form.get('username') ?? '');
  const password = String(form.get('password') ?? '');
  const email = String(form.get('email') ?? '').trim();
  try {
    await backend('/api/auth/register', RegisterResponse, { method: 'POST', body: { username, password, ...(email && { email }) } });
    const result = await backend('/api/auth/login', LoginResponse, { method: 'POST', body: { username, password } });
    await setSessionCookie(result.access_token, result.expires_in);
  } catch (error) {
    if (error instanceof BackendError) {
      if (error.code === 'username_taken') return { fields: { username: 'That username is taken.' } };
      if (error.code === 'email_taken') return { fields: { email: 'That email is already registered.' } };
      return { error: error.message, fields: error.fields };
    }
    return { error: 'Registration failed.' };
  }
  redirect('/dashboard');
}

/**
 * Signs out on the server first (the backend refuses the token from then on, wherever it might
 * have been copied), then forgets the cookie. If the backend cannot be reached the cookie still
 * goes: the user asked to sign out of this browser.
 */
export async function logout(): Promise<void> {
  await backend('/api/auth/logout', null, { method: 'POST' }).catch((error: unknown) => {
    if (!(error instanceof BackendError)) throw error;
  });
  (await cookies()).delete(SESSION_COOKIE);
  redirect('/login?signedOut=1');
}

export async function configureGithub(_: FormState, form: FormData): Promise<FormState> {
  try {
    const result = await backend('/api/github/configure', GithubConfigureResponse, { method: 'POST', body: { token: String(form.get('token') ?? '').trim() } });
    revalidatePath('/github');
    return { ok: `Connected as ${result.login}.` };
  } catch (error) {
    await expiredRedirect(error);
    if (error instanceof BackendError && error.code === 'invalid_github_token') return { error: 'GitHub does not accept this token (wrong, expired or revoked).' };
    if (error instanceof BackendError && error.code === 'github_unavailable') return { error: 'GitHub cannot be reached right now. Try again later.' };
    if (error instanceof BackendError && error.fields?.token) return { error: `The token ${error.fields.token}.` };
    return { error: error instanceof BackendError ? error.message : 'Saving the token failed.' };
  }
}

export async function deleteGithubToken(): Promise<void> {
  try {
    await backend('/api/github/token', null, { method: 'DELETE' });
  } catch (error) {
    await expiredRedirect(error);
    throw error;
  }
  revalidatePath('/github');
}

export async function rotateNow(): Promise<FormState> {
  try {
    const result = await backend('/api/security/rotate', RotateResponse, { method: 'POST' });
    return { ok: `Rotated: ${result.rotation.from_username} → ${result.rotation.to_username}` };
  } catch (error) {
    await expiredRedirect(error);
    return { error: error instanceof BackendError ? error.message : 'The rotation failed.' };
  }
}
