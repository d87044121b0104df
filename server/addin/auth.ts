import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  errors,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { createMiddleware } from 'hono/factory';
import { httpError } from '../errors.js';
import type { AppEnv } from '../middleware/request-log.js';
import type { PeopleDirectory } from '../../services/people.js';

/**
 * Who is using the add-in, taken from a verified token only: never from anything else the
 * client sends. Tokens come from nested app authentication (MSAL in the task pane) and are
 * checked for signature (the tenant's published keys), issuer, audience, expiry and scope.
 */
export interface AddinUser {
  email: string;
  name: string | null;
  /** Entra object id (stable across renames); null for development tokens. */
  objectId: string | null;
  /** Rapport's id of the person (services/people.ts); absent without a people directory or object id. */
  personId?: string;
  tenantId: string | null;
  /** True for the local development token (ADDIN_DEV_AUTH). */
  dev: boolean;
}

export type AddinEnv = { Variables: AppEnv['Variables'] & { addinUser: AddinUser } };

export interface TrustedIssuer {
  /** Exact `iss` values accepted (Entra v2 and v1 spellings for the tenant). */
  issuers: string[];
  audiences: string[];
  keys: JWTVerifyGetKey;
  algorithms: string[];
  /** A delegated scope (`scp`) the token must carry. */
  requiredScope?: string;
  tenantId?: string;
  dev?: boolean;
}

export class AddinAuthError extends Error {
  override name = 'AddinAuthError';
}

/** The tenant's key set did not answer: not the caller's fault (503). */
export class AddinKeysUnavailable extends Error {
  override name = 'AddinKeysUnavailable';
}

export const ADDIN_SCOPE = 'access_as_user';
export const entraIssuers = (tenantId: string) => [
  `https://login.microsoftonline.com/${tenantId}/v2.0`,
  `https://sts.windows.net/${tenantId}/`,
];
export const entraJwksUrl = (tenantId: string) => `https://login.microsoftonline.com/${tenantId}/discovery/v2.0/keys`;

/**
 * The organisation's identity provider, as the environment names it: an OpenID Connect issuer
 * (OIDC_ISSUER, found by discovery), or Entra ID for AAD_TENANT_ID. One rule for the add-in and the
 * API: issuer, audience (the add-in's app registration), signature, expiry, tenant and scope.
 * Null when neither is configured.
 */
export function peopleIssuer(env: {
  OIDC_ISSUER?: string | undefined;
  AAD_TENANT_ID?: string | undefined;
  AAD_CLIENT_ID?: string | undefined;
  AAD_AUDIENCE?: string[] | undefined;
  AAD_JWKS_URL?: string | undefined;
  ADDIN_ORIGIN?: string | undefined;
}): TrustedIssuer | null {
  const host = env.ADDIN_ORIGIN ? new URL(env.ADDIN_ORIGIN).host : undefined;
  const audiences =
    env.AAD_AUDIENCE ??
    (env.AAD_CLIENT_ID ? [env.AAD_CLIENT_ID, ...(host ? [`api://${host}/${env.AAD_CLIENT_ID}`] : [])] : []);
  if (env.OIDC_ISSUER && audiences.length > 0) {
    return oidcIssuer({
      issuer: env.OIDC_ISSUER,
      audiences,
      requiredScope: ADDIN_SCOPE,
      ...(env.AAD_TENANT_ID ? { tenantId: env.AAD_TENANT_ID } : {}),
      ...(env.AAD_JWKS_URL ? { jwksUrl: env.AAD_JWKS_URL } : {}),
    });
  }
  if (env.AAD_TENANT_ID && env.AAD_CLIENT_ID) {
    return entraIssuer({ tenantId: env.AAD_TENANT_ID, audiences, jwksUrl: env.AAD_JWKS_URL });
  }
  return null;
}

/** Entra ID (Azure AD) access tokens for the add-in's API: keys from the tenant (or a given key set). */
export function entraIssuer(options: {
  tenantId: string;
  audiences: string[];
  jwksUrl?: string;
  jwks?: JSONWebKeySet;
}): TrustedIssuer {
  return {
    issuers: entraIssuers(options.tenantId),
    audiences: options.audiences,
    keys: options.jwks
      ? createLocalJWKSet(options.jwks)
      : createRemoteJWKSet(new URL(options.jwksUrl ?? entraJwksUrl(options.tenantId)), {
          cooldownDuration: 30_000,
          cacheMaxAge: 12 * 3600_000,
        }),
    algorithms: ['RS256'],
    requiredScope: ADDIN_SCOPE,
    tenantId: options.tenantId,
  };
}

/**
 * Any OpenID Connect issuer: its key set is found through its discovery document
 * (`<issuer>/.well-known/openid-configuration`, whose `issuer` must match), fetched on the first
 * token and kept; unknown key ids refetch the key set (key rotation), at most every 30 s.
 */
export function oidcIssuer(options: {
  issuer: string;
  audiences: string[];
  tenantId?: string;
  requiredScope?: string;
  jwksUrl?: string;
  algorithms?: string[];
}): TrustedIssuer {
  const issuer = options.issuer.replace(/\/$/, '');
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const remote = (url: string) =>
    createRemoteJWKSet(new URL(url), { cooldownDuration: 30_000, cacheMaxAge: 12 * 3600_000, timeoutDuration: 5000 });
  const discover = async (): Promise<JWTVerifyGetKey> => {
    if (options.jwksUrl) return remote(options.jwksUrl);
    let doc: { issuer?: unknown; jwks_uri?: unknown };
    try {
      const res = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`discovery answered ${res.status}`);
      doc = (await res.json()) as typeof doc;
    } catch {
      throw new AddinKeysUnavailable('the sign-in discovery document cannot be fetched right now');
    }
    if (
      typeof doc.issuer !== 'string' ||
      doc.issuer.replace(/\/$/, '') !== issuer ||
      typeof doc.jwks_uri !== 'string'
    ) {
      throw new AddinKeysUnavailable('the sign-in discovery document names another issuer or no key set');
    }
    return remote(doc.jwks_uri);
  };
  return {
    issuers: [issuer, `${issuer}/`],
    audiences: options.audiences,
    keys: async (header, token) => {
      keys ??= discover().catch((error: unknown) => {
        keys = undefined; // try again on the next token
        throw error;
      });
      return (await keys)(header, token);
    },
    algorithms: options.algorithms ?? ['RS256', 'ES256'],
    ...(options.requiredScope ? { requiredScope: options.requiredScope } : {}),
    ...(options.tenantId ? { tenantId: options.tenantId } : {}),
  };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/**
 * The person a verified token names. Who they are is the immutable object id (`oid`, Entra's id of
 * the user in the tenant; `sub` for an issuer without tenants): the email claims (preferred_username,
 * upn, email) can be changed by a directory admin, so they are only what the person is shown as,
 * and the people directory (services/people.ts) binds each email to one object id.
 */
function userFrom(payload: JWTPayload, issuer: TrustedIssuer): AddinUser {
  const email = str(payload.preferred_username) ?? str(payload.upn) ?? str(payload.email) ?? str(payload.unique_name);
  if (!email || !EMAIL.test(email)) throw new AddinAuthError('the token names no user email');
  const objectId = issuer.dev ? null : issuer.tenantId ? str(payload.oid) : (str(payload.oid) ?? str(payload.sub));
  if (!issuer.dev && !objectId) throw new AddinAuthError('the token names no object id (oid)');
  return {
    email: email.toLowerCase(),
    name: str(payload.name),
    objectId,
    tenantId: str(payload.tid),
    dev: issuer.dev === true,
  };
}

export type TokenVerifier = (token: string) => Promise<AddinUser>;

export function createTokenVerifier(trusted: TrustedIssuer[]): TokenVerifier {
  return async (token) => {
    let iss: string | undefined;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      throw new AddinAuthError('the token is not a JWT');
    }
    const issuer = trusted.find((t) => iss !== undefined && t.issuers.includes(iss));
    if (!issuer) throw new AddinAuthError('the token comes from an issuer Rapport does not trust');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, issuer.keys, {
        issuer: issuer.issuers,
        audience: issuer.audiences,
        algorithms: issuer.algorithms,
        requiredClaims: ['exp', 'iat'],
        clockTolerance: 60,
      }));
    } catch (error) {
      if (error instanceof AddinKeysUnavailable) throw error;
      if (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError)) {
        throw new AddinKeysUnavailable('the sign-in keys cannot be fetched right now');
      }
      if (error instanceof errors.JWTExpired) throw new AddinAuthError('the token has expired');
      if (error instanceof errors.JWTClaimValidationFailed)
        throw new AddinAuthError(`token claim ${error.claim} is not valid`);
      throw new AddinAuthError('the token signature is not valid');
    }
    // An Entra token always names its tenant; one without `tid` is not one of the tenant's.
    if (issuer.tenantId && payload.tid !== issuer.tenantId) {
      throw new AddinAuthError('the token belongs to another tenant');
    }
    if (issuer.requiredScope) {
      const scopes = String(payload.scp ?? '').split(' ');
      if (!scopes.includes(issuer.requiredScope)) {
        throw new AddinAuthError(`the token lacks the ${issuer.requiredScope} scope`);
      }
    }
    return userFrom(payload, issuer);
  };
}

/**
 * DEVELOPMENT ONLY (ADDIN_DEV_AUTH=true): a key pair made at start-up, kept in memory, that signs
 * short tokens for one configured development user. Verified by the same code as Entra tokens.
 */
export async function createDevIssuer(user: string) {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'rapport-dev', alg: 'ES256', use: 'sig' };
  const issuer = 'urn:rapport:addin-dev';
  const audience = 'urn:rapport:addin';
  return {
    user,
    trusted: {
      issuers: [issuer],
      audiences: [audience],
      keys: createLocalJWKSet({ keys: [jwk] }),
      algorithms: ['ES256'],
      dev: true,
    } satisfies TrustedIssuer,
    mint: (ttlSeconds = 3600) =>
      new SignJWT({ preferred_username: user, name: `${user} (development sign-in)` })
        .setProtectedHeader({ alg: 'ES256', kid: 'rapport-dev', typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(user)
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
        .sign(privateKey),
  };
}
export type DevIssuer = Awaited<ReturnType<typeof createDevIssuer>>;

/**
 * Requires a valid add-in token and sets `addinUser`. With a people directory, the user is the
 * person their object id is bound to (their email as the directory knows it; a token whose email
 * belongs to another object id is refused), so Outlook, Slack and the API see one person.
 */
export function addinAuth(verify: TokenVerifier, people?: PeopleDirectory) {
  return createMiddleware<AddinEnv>(async (c, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
    if (!match?.[1]) {
      throw httpError('UNAUTHORIZED', 'sign in to Rapport: send Authorization: Bearer <add-in token>', undefined, {
        'www-authenticate': 'Bearer realm="rapport-addin"',
      });
    }
    try {
      const user = await verify(match[1]);
      if (people && user.objectId) {
        const person = await people.fromToken({ objectId: user.objectId, email: user.email, name: user.name });
        user.email = person.email;
        user.personId = person.id;
      }
      c.set('addinUser', user);
    } catch (error) {
      if (error instanceof AddinKeysUnavailable)
        throw httpError('UNAVAILABLE', error.message, undefined, { 'retry-after': '5' });
      if (!(error instanceof AddinAuthError)) throw error;
      throw httpError('UNAUTHORIZED', error.message, undefined, {
        'www-authenticate': `Bearer realm="rapport-addin", error="invalid_token"`,
      });
    }
    await next();
  });
}
