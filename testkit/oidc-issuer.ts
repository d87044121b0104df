/** The local OpenID Connect issuer tests sign people in at; it lives with the other stand-ins in sandbox/. */
export {
  OTHER_TENANT,
  startOidcIssuer,
  TEST_CLIENT,
  TEST_TENANT,
  type IssuerUser,
  type MintOptions,
  type OidcIssuer,
} from '../sandbox/oidc/issuer.js';
