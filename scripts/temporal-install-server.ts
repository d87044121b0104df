/**
 * `npm run temporal:install-server`: builds (or finds) the Temporal server and temporal-sql-tool
 * in the shared cache, for `npm run cluster` and the cluster tests; CI runs it before the tests.
 */
import { findServerInstall, installServer, TEMPORAL_SERVER_VERSION } from '../workflows/temporal/server-install.js';

const found = findServerInstall(process.env);
const install = found ?? (await installServer(process.env, (line) => console.log(line)));
console.log(
  `Temporal server ${TEMPORAL_SERVER_VERSION}: ${install.server}, ${install.sqlTool} (${found ? 'cached' : 'built'})`,
);
