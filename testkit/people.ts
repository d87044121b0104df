import { startOidcIssuer, type OidcIssuer } from '../sandbox/oidc/issuer.js';

const EMAIL = /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u;

/** The person a request body names as the actor (`approver`, `requester`, `by`, `loggedBy`), when it names one by a well-formed email. */
export function personNamedIn(json: unknown): string | undefined {
  if (!json || typeof json !== 'object') return undefined;
  for (const field of ['approver', 'requester', 'by', 'loggedBy']) {
    const value = (json as Record<string, unknown>)[field];
    if (typeof value === 'string' && EMAIL.test(value.trim())) return value.trim();
  }
  return undefined;
}

export interface PeopleTokens {
  issuer: OidcIssuer;
  /** The environment that makes a Rapport process trust the issuer for people. */
  env: Record<string, string>;
  /** `Bearer <token>` for a person, from the issuer's token endpoint (cached per person). */
  as(email: string): Promise<string>;
  /**
   * The authorization a client sends for this body: the sign-in token of the person it names as
   * the actor, as a person's client would; otherwise the service token.
   */
  authorization(json: unknown, serviceToken: string): Promise<string>;
  close(): Promise<void>;
}

/** A local OpenID Connect issuer for tests that run Rapport processes of their own (testkit/rapport.ts uses it too). */
export async function startPeopleTokens(): Promise<PeopleTokens> {
  const issuer = await startOidcIssuer();
  const tokens = new Map<string, Promise<string>>();
  const as = (email: string) => {
    const key = email.toLowerCase();
    let token = tokens.get(key);
    if (!token) {
      token = issuer.bearer(email);
      tokens.set(key, token);
    }
    return token;
  };
  return {
    issuer,
    env: issuer.env,
    as,
    authorization: async (json, serviceToken) => {
      const person = personNamedIn(json);
      return person ? as(person) : `Bearer ${serviceToken}`;
    },
    close: () => issuer.close(),
  };
}
