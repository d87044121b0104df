import { personToken } from '../sandbox/oidc/issuer.js';

/**
 * DEVELOPMENT: an access token for Rapport's API from the local OpenID Connect provider `npm start`
 * runs, through the authorization code flow with PKCE its sign-in page takes part in (any email
 * signs in there). Prints the token alone, for `export ANA=$(...)`.
 *
 *   npx tsx scripts/person-token.ts <issuer URL> <client id> <email>
 */
const [issuer, clientId, email] = process.argv.slice(2);
if (!issuer || !clientId || !email) {
  process.stderr.write('usage: npx tsx scripts/person-token.ts <issuer URL> <client id> <email>\n');
  process.exit(2);
}
process.stdout.write(`${await personToken({ issuer, clientId, email })}\n`);
