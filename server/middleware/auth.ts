import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import {
  API_SCOPES,
  type ApiScope,
  type Person,
  type Principal,
  type ServicePrincipal,
} from '../../domain/identity.js';
import type { PeopleDirectory } from '../../services/people.js';
import { AddinAuthError, AddinKeysUnavailable, type TokenVerifier } from '../addin/auth.js';
import { httpError } from '../errors.js';
import type { AppEnv } from './request-log.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** A service principal as configured: its name, scopes and the SHA-256 of each of its tokens (hex). */
export interface ServiceCredential extends ServicePrincipal {
  digest: string;
}

export interface ApiCredentials {
  services: ServiceCredential[];
  /** People's tokens from the organisation's identity provider; absent: the API takes service tokens only. */
  verifyPerson?: TokenVerifier;
  /** Binds a token's object id and email to one person; absent: the token's object id is the person's id. */
  people?: PeopleDirectory;
}

/** API_TOKENS, from before service principals had names: each is one with every scope (deciding never is one). */
export function legacyServices(tokens: string[]): ServiceCredential[] {
  return tokens.map((token, i) => ({
    name: `api-token-${i + 1}`,
    scopes: API_SCOPES,
    digest: digest(token).toString('hex'),
  }));
}

const JWT = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const challenge = (error?: string) => ({
  'www-authenticate': `Bearer realm="rapport"${error ? `, error="${error}"` : ''}`,
});

/**
 * Who is calling the API: a named service principal (an API token, compared as a digest in
 * constant time so length and content do not leak) or a person (a JWT from the organisation's
 * identity provider, verified as the add-in's are). Sets `principal`; routes take the acting
 * person from it, never from the body.
 */
export function apiAuth(credentials: ApiCredentials) {
  const services = credentials.services.map((s) => ({ ...s, bytes: Buffer.from(s.digest, 'hex') }));
  return createMiddleware<AppEnv>(async (c, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
    if (!match?.[1]) {
      throw httpError(
        'UNAUTHORIZED',
        'send Authorization: Bearer <API token or sign-in token>',
        'authorization',
        challenge(),
      );
    }
    const token = match[1];
    const given = digest(token);
    // Every configured token is compared, whichever matches, so timing says nothing about which.
    let service: ServicePrincipal | undefined;
    for (const s of services) if (timingSafeEqual(s.bytes, given) && !service) service = s;
    if (service) {
      c.set('principal', { kind: 'service', service: { name: service.name, scopes: service.scopes } });
    } else if (JWT.test(token) && credentials.verifyPerson) {
      c.set('principal', { kind: 'person', person: await personFrom(credentials, token) });
    } else {
      throw httpError(
        'UNAUTHORIZED',
        JWT.test(token)
          ? "people's sign-in is not configured on this server (OIDC_ISSUER or AAD_TENANT_ID)"
          : 'the API token is not valid',
        'authorization',
        challenge('invalid_token'),
      );
    }
    await next();
  });
}

async function personFrom(credentials: ApiCredentials, token: string): Promise<Person> {
  let user;
  try {
    user = await credentials.verifyPerson!(token);
  } catch (error) {
    if (error instanceof AddinKeysUnavailable)
      throw httpError('UNAVAILABLE', error.message, undefined, { 'retry-after': '5' });
    if (!(error instanceof AddinAuthError)) throw error;
    throw httpError('UNAUTHORIZED', error.message, 'authorization', challenge('invalid_token'));
  }
  const objectId = user.objectId ?? `dev:${user.email}`;
  return credentials.people
    ? credentials.people.fromToken({ objectId, email: user.email, name: user.name })
    : { id: objectId, email: user.email, name: user.name };
}

/** What a request needs of its principal: a scope (service principals), or a person. */
export type Requirement = ApiScope | 'person' | 'service';

/** The API's routes and what each needs; a path not listed has no route and answers 404 whoever asks. */
const REQUIREMENTS: [method: string, path: RegExp, need: Requirement][] = [
  ['POST', /^\/api\/alerts\/[^/]+\/(decision|cancel)$/, 'person'],
  ['POST', /^\/api\/alerts\/[^/]+\/trail\/resend$/, 'person'],
  ['PUT', /^\/api\/alerts\/[^/]+\/revision$/, 'person'],
  ['POST', /^\/api\/alerts\/?$/, 'alerts:request'],
  ['GET', /^\/api\/alerts(\/|$)/, 'alerts:read'],
  ['POST', /^\/api\/touches(\/|$)/, 'touches:write'],
  ['GET', /^\/api\/touches(\/|$)/, 'touches:read'],
  ['POST', /^\/api\/customers(\/|$)/, 'customers:write'],
  ['GET', /^\/api\/customers(\/|$)/, 'customers:read'],
  ['POST', /^\/api\/inbound(\/|$)/, 'inbound:write'],
  ['GET', /^\/api\/status$/, 'status:read'],
  ['GET', /^\/api\/topics(\/|$)/, 'topics:read'],
  ['PUT', /^\/api\/topics\/[^/]+$/, 'topics:write'],
  ['DELETE', /^\/api\/topics\/[^/]+$/, 'topics:write'],
];

/**
 * Holds each principal to what the route needs. Deciding, revising, cancelling and resending need a person:
 * a service token names nobody, so it can never do them on someone's behalf (403 PERSON_REQUIRED).
 * People may use every route but the mail provider's webhook.
 */
export function apiScopes() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const principal = c.get('principal');
    const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
    const need = REQUIREMENTS.find(([m, path]) => m === method && path.test(c.req.path))?.[2];
    if (principal && need !== undefined) {
      if (need === 'person' && principal.kind === 'service') {
        throw httpError(
          'PERSON_REQUIRED',
          `service principal ${principal.service.name} cannot decide, revise, cancel or resend: only a signed-in person can (Authorization: Bearer <their sign-in token>)`,
          'authorization',
        );
      }
      if (need === 'inbound:write' && principal.kind === 'person') {
        throw httpError('FORBIDDEN', "inbound mail is the mail provider's: use its service token", 'authorization');
      }
      if (principal.kind === 'service' && need !== 'person' && !principal.service.scopes.includes(need as ApiScope)) {
        throw httpError(
          'FORBIDDEN',
          `service principal ${principal.service.name} lacks the ${need} scope`,
          'authorization',
        );
      }
    }
    await next();
  });
}

/** The principal of a request that passed apiAuth. */
export function principalOf(c: Context<AppEnv>): Principal {
  const p = c.get('principal');
  if (!p) throw httpError('UNAUTHORIZED', 'no credential', 'authorization');
  return p;
}

/**
 * The acting person, from the credential; a body field naming someone else is a 400 naming it
 * (sending it at all is optional: the credential says who acts).
 */
export function actingPerson(c: Context<AppEnv>, field: string, claimed: string | undefined): Person {
  const p = principalOf(c);
  if (p.kind !== 'person') {
    throw httpError(
      'PERSON_REQUIRED',
      `a service principal (${p.service.name}) names nobody: sign in as a person`,
      'authorization',
    );
  }
  agrees(field, claimed, p.person.email);
  return p.person;
}

/** A body field that names someone must name the credential's own identity (case and spaces aside). */
export function agrees(field: string, claimed: string | undefined, actual: string): void {
  if (claimed !== undefined && claimed.trim().toLowerCase() !== actual.trim().toLowerCase()) {
    throw httpError(
      'VALIDATION',
      `${field}: the credential acts as ${actual}, not ${claimed.trim()}; leave ${field} out (it comes from the credential)`,
      field,
    );
  }
}
