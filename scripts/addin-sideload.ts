import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkManifest } from './addin-manifest-check.js';

/**
 * Sideloads manifest.xml for development after checking it offline.
 * Windows (classic Outlook): office-addin-debugging registers it. Elsewhere (Outlook on the
 * web, new Outlook, Mac) Microsoft offers no command-line sideload: the steps are printed.
 */
const manifest = resolve(process.argv[2] ?? 'manifest.xml');
const { problems } = checkManifest(readFileSync(manifest, 'utf8'));
if (problems.length) {
  console.error(`${manifest} has problems:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`${manifest}: checked`);

if (process.platform === 'win32') {
  const result = spawnSync(
    'npx',
    ['--yes', 'office-addin-debugging@7.0.0', 'start', manifest, 'desktop', '--no-debug'],
    {
      stdio: 'inherit',
      shell: true,
    },
  );
  process.exit(result.status ?? 1);
} else {
  console.log(`
Sideload in Outlook on the web or new Outlook:
  1. Keep \`npm start\` and \`npx tsx scripts/addin-dev.ts https\` running; open https://localhost:3443/addin/taskpane.html
     once in the browser to be sure the certificate is trusted.
  2. Open https://aka.ms/olksideload (Outlook on the web > Get add-ins > My add-ins).
  3. Custom add-ins > Add a custom add-in > Add from file... > ${manifest}
  4. Open any email: the Rapport "Customer" button is on the message's ribbon / ... menu; pin the pane.
Remove it again under My add-ins > Custom add-ins.`);
}
