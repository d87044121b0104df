import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { EncryptJWT, jwtDecrypt } from 'jose';
import type { Person } from '../../domain/identity.js';

/**
 * The dashboard's session: a stateless cookie, encrypted and authenticated (JWE, dir + A256GCM)
 * under a key derived from RAPPORT_SECRET, so any API process of the deployment reads it and
 * nobody can read or change it (a changed byte fails decryption: not signed in). It holds who the
 * person is (Rapport's person id, email, name, tenant), a random session id that keys the CSRF
 * token, and its expiry. Signing out removes it from the browser; a copy taken before stays valid
 * until it expires (DASHBOARD_SESSION_HOURS), the price of needing no session store.
 */
export interface DashboardSession {
  sid: string;
  person: Person;
  tenant: string | null;
  /** Epoch seconds. */
  expiresAt: number;
}

/** What the browser holds between sending the person to the provider and their return. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
  /** The dashboard path to come back to (already checked by safeReturnPath). */
  returnTo: string;
}

export const SESSION_COOKIE = 'rapport_dash';
export const PENDING_COOKIE = 'rapport_dash_signin';
/** The session cookie is sent to the dashboard only; the pending one to its sign-in routes only. */
export const SESSION_PATH = '/dashboard';
export const PENDING_PATH = '/dashboard/auth';
export const PENDING_SECONDS = 10 * 60;

export interface SessionKeys {
  encryption: Uint8Array;
  csrf: Buffer;
}

/** Separate keys for separate jobs, none of them the link-signing secret itself. */
export function sessionKeys(secret: string): SessionKeys {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', secret, 'rapport-dashboard', info, 32));
  return { encryption: new Uint8Array(derive('session cookie')), csrf: derive('csrf token') };
}

const now = () => Math.floor(Date.now() / 1000);

async function seal(keys: SessionKeys, claims: Record<string, unknown>, expiresAt: number, purpose: string) {
  return new EncryptJWT({ ...claims, use: purpose })
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .setIssuedAt()
    .setExpirationTime(expiresAt)
    .encrypt(keys.encryption);
}

async function open(keys: SessionKeys, value: string | undefined, purpose: string) {
  if (!value || value.length > 4096) return null;
  try {
    const { payload } = await jwtDecrypt(value, keys.encryption, {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
      requiredClaims: ['exp'],
    });
    // A pending sign-in's cookie is never a session, nor the other way round.
    return payload.use === purpose ? payload : null;
  } catch {
    return null; // tampered, another key, expired: simply not signed in
  }
}

export function newSession(person: Person, tenant: string | null, hours: number): DashboardSession {
  return { sid: randomBytes(16).toString('base64url'), person, tenant, expiresAt: now() + Math.round(hours * 3600) };
}

export const sealSession = (keys: SessionKeys, s: DashboardSession) =>
  seal(
    keys,
    { sid: s.sid, pid: s.person.id, email: s.person.email, name: s.person.name, tid: s.tenant },
    s.expiresAt,
    'session',
  );

export async function openSession(keys: SessionKeys, value: string | undefined): Promise<DashboardSession | null> {
  const p = await open(keys, value, 'session');
  if (!p || typeof p.sid !== 'string' || typeof p.pid !== 'string' || typeof p.email !== 'string') return null;
  return {
    sid: p.sid,
    person: { id: p.pid, email: p.email, name: typeof p.name === 'string' ? p.name : null },
    tenant: typeof p.tid === 'string' ? p.tid : null,
    expiresAt: p.exp!,
  };
}

export const sealPending = (keys: SessionKeys, p: PendingSignIn) =>
  seal(keys, { ...p }, now() + PENDING_SECONDS, 'pending');

export async function openPending(keys: SessionKeys, value: string | undefined): Promise<PendingSignIn | null> {
  const p = await open(keys, value, 'pending');
  const fields = ['state', 'nonce', 'verifier', 'returnTo'] as const;
  if (!p || !fields.every((f) => typeof p[f] === 'string')) return null;
  return { state: String(p.state), nonce: String(p.nonce), verifier: String(p.verifier), returnTo: String(p.returnTo) };
}

/** The session's CSRF token: an HMAC of its id, so every process derives the same one and nothing is stored. */
export const csrfTokenFor = (keys: SessionKeys, session: Pick<DashboardSession, 'sid'>) =>
  createHmac('sha256', keys.csrf).update(session.sid).digest('base64url');

export function csrfTokenMatches(keys: SessionKeys, session: Pick<DashboardSession, 'sid'>, given: unknown): boolean {
  if (typeof given !== 'string' || given.length > 128) return false;
  const expected = Buffer.from(csrfTokenFor(keys, session));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * Where a sign-in may send the browser back to: a path of the dashboard on this server, never
 * another site (`//evil.example`, `/\evil.example`, `https://...`) nor the sign-in routes themselves.
 */
export function safeReturnPath(value: string | null | undefined): string {
  const fallback = '/dashboard';
  if (!value || value.length > 2048 || !value.startsWith('/') || value.startsWith('//')) return fallback;
  if (/[\\\p{Cc}]/u.test(value)) return fallback;
  // Checked after resolving, so dot segments (`/dashboard/../api`, `%2e%2e`) cannot step out.
  const resolved = new URL(value, 'http://rapport.invalid');
  const path = `${resolved.pathname}${resolved.search}`;
  if (resolved.origin !== 'http://rapport.invalid' || !/^\/dashboard(?:[/?]|$)/.test(path)) return fallback;
  if (/^\/dashboard\/auth(?:[/?]|$)/.test(path)) return fallback;
  return path;
}

export interface CookieOptions {
  path: string;
  maxAge: number;
  secure: boolean;
}

/** HttpOnly, SameSite=Lax (the provider's redirect back is a top-level GET, which Lax lets through), Secure over TLS. */
export function cookieHeader(name: string, value: string, o: CookieOptions): string {
  return [
    `${name}=${value}`,
    `Path=${o.path}`,
    `Max-Age=${Math.max(0, Math.floor(o.maxAge))}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(o.secure ? ['Secure'] : []),
  ].join('; ');
}

export const clearCookie = (name: string, path: string, secure: boolean) =>
  cookieHeader(name, '', { path, maxAge: 0, secure });
