/** Builds (or finds) the Temporal CLI in the shared cache; CI runs this before the tests. */
import { findInstalledCli, goInstallCli } from '../workflows/temporal/cli-locator.js';

const found = findInstalledCli(process.env, process.env.TEMPORAL_CLI_PATH || undefined);
const cli = found ?? (await goInstallCli(process.env, (line) => console.log(line)));
console.log(`Temporal CLI: ${cli.path} (${cli.source})`);
