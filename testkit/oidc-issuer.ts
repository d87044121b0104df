/** The local OpenID Connect provider tests sign people in at; it lives with the other stand-ins in sandbox/. */
export {
  OTHER_TENANT,
  personToken,
  signInAt,
  startOidcIssuer,
  TEST_CLIENT,
  TEST_TENANT,
  type IssuerClient,
  type IssuerUser,
  type MintOptions,
  type OidcIssuer,
} from '../sandbox/oidc/issuer.js';
