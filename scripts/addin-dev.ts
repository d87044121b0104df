import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:https';
import { homedir } from 'node:os';
import { resolve } from 'node:path';

/**
 * Outlook loads add-ins over HTTPS only. For development this serves https://localhost:3443 in
 * front of `npm start` (http://127.0.0.1:3000) with a locally trusted certificate:
 *   npx tsx scripts/addin-dev.ts certs   # once: office-addin-dev-certs makes and trusts a CA (30 days)
 *   npx tsx scripts/addin-dev.ts https   # the HTTPS front; ADDIN_DEV_PORT, RAPPORT_URL to change
 */
const CERT_DIR = resolve(homedir(), '.office-addin-dev-certs');
const command = process.argv[2] ?? 'https';

if (command === 'certs') {
  const result = spawnSync('npx', ['--no-install', 'office-addin-dev-certs', 'install', '--days', '30'], {
    stdio: 'inherit',
  });
  process.exit(result.status ?? 1);
} else if (command === 'https') {
  const cert = resolve(CERT_DIR, 'localhost.crt');
  const key = resolve(CERT_DIR, 'localhost.key');
  if (!existsSync(cert) || !existsSync(key)) {
    console.error(`No development certificate in ${CERT_DIR}: run \`npx tsx scripts/addin-dev.ts certs\` first.`);
    process.exit(1);
  }
  const target = new URL(process.env.RAPPORT_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`);
  const port = Number(process.env.ADDIN_DEV_PORT ?? 3443);
  createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: target.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`Rapport is not running at ${target.origin}: start it with npm start`);
    });
    req.pipe(upstream);
  }).listen(port, 'localhost', () => {
    console.log(`Add-in origin https://localhost:${port} -> ${target.origin}`);
    console.log(`Task pane: https://localhost:${port}/addin/taskpane.html   manifest: manifest.xml`);
  });
} else {
  console.error('usage: addin-dev.ts certs | https');
  process.exit(2);
}
