/**
 * bench:preferences — the preference page's first paint in headless Chromium with 100 ms of
 * latency injected into every CRM call (the sandbox's latency fault), against p95 < 1 s.
 *
 * Composed from the real parts the page uses, without Temporal (the page needs none): the HubSpot
 * sandbox and the real HubSpot adapter, the store (PGlite, or DATABASE_URL), the topic catalogue,
 * the preference centre service and its routes behind Rapport's security headers, served over
 * HTTP by @hono/node-server. Each render opens a fresh page on a contact no earlier render
 * touched: the contact, its subscription status and the catalogue are read every time.
 *
 * Measured: first contentful paint from navigation start (Chromium's paint timing: the request,
 * the server's CRM reads, the HTML and its first frame), and a save's round trip (POST, CRM
 * writes: subscription type, property, note) as a figure of its own.
 *
 *   npm run bench:preferences     (BENCH_LATENCY_MS=100 BENCH_RENDERS=100 BENCH_SAVES=20)
 */
import { loadavg } from 'node:os';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { chromium } from 'playwright-core';
import { createHubSpotCrm } from '../crm/hubspot/index.js';
import type { CrmContact } from '../crm/port.js';
import { parseSubscriptionMap } from '../domain/audience/subscriptions.js';
import { PREFERENCES_PATH, preferenceLink } from '../domain/broadcast/preference-link.js';
import { CRM_SCHEMA } from '../main/crm-schema.js';
import { createLogger } from '../main/logger.js';
import { startHubSpotSandbox } from '../sandbox/hubspot/index.js';
import { DEMO_TOPICS } from '../sandbox/topics/demo.js';
import { forgedLinks } from '../server/forged-links.js';
import { requestLog } from '../server/middleware/request-log.js';
import { securityHeaders } from '../server/middleware/security-headers.js';
import { preferenceRoutes } from '../server/routes/preferences.js';
import { createPreferenceCentre } from '../services/preferences.js';
import { openDb } from '../store/db.js';
import { migrate } from '../store/migrations.js';
import { createPreferenceStore } from '../store/preferences.js';
import { createTopicStore } from '../store/topics.js';
import { percentile, report } from './report.js';

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 100);
const RENDERS = Number(process.env.BENCH_RENDERS ?? 100);
const SAVES = Number(process.env.BENCH_SAVES ?? 20);
const TARGET_P95_MS = 1000;
const BUDGET = 1000; // the highest HUBSPOT_RATE_LIMIT Rapport accepts: the budget is not measured here
const SANDBOX_TOKEN = 'bench-sandbox';
const SECRET = 'bench-secret-0123456789abcdefghijklmnopqrstuv';

const round = (n: number) => Math.round(n * 10) / 10;
const summary = (name: string, samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    [`${name}_n`]: sorted.length,
    [`${name}_p50_ms`]: round(percentile(sorted, 50)),
    [`${name}_p95_ms`]: round(percentile(sorted, 95)),
    [`${name}_max_ms`]: round(sorted.at(-1) ?? 0),
  };
};

const loadBefore = loadavg()[0]!;
const sandbox = await startHubSpotSandbox({
  port: 0,
  seed: true,
  accessToken: SANDBOX_TOKEN,
  rateLimit: { perTenSeconds: BUDGET, searchPerSecond: 50 },
});
const db = await openDb({
  databaseUrl: process.env.DATABASE_URL,
  schema: process.env.DATABASE_URL ? `bench_prefs_${Date.now()}` : undefined,
});
await migrate(db);
const topics = createTopicStore(db);
await topics.seed(DEMO_TOPICS);
const crm = createHubSpotCrm({ accessToken: SANDBOX_TOKEN, basePath: sandbox.url, rateLimitPerTenSeconds: BUDGET });
await crm.ensureSchema(CRM_SCHEMA);

let server: ServerType | undefined;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const logger = createLogger('silent');
  let base = '';
  const centre = createPreferenceCentre({
    crm,
    store: createPreferenceStore(db),
    topics,
    secret: SECRET,
    publicUrl: 'http://placeholder',
    subscriptionTypes: parseSubscriptionMap('rates=1004'),
    linkTtlDays: 90,
  });
  const app = new Hono()
    .use(requestLog(logger))
    .use(securityHeaders({ https: false }))
    .route(PREFERENCES_PATH, preferenceRoutes({ preferences: centre, forgedLinks: forgedLinks() }));
  server = await new Promise<ServerType>((done) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => done(s));
  });
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  // Distinct seeded contacts with an email (the subscription status is read for them).
  const contacts: CrmContact[] = (await crm.searchContacts({ query: 'example', limit: 600 })).filter((c) => !!c.email);
  const needed = 1 + RENDERS + SAVES;
  if (contacts.length < needed) throw new Error(`need ${needed} contacts, the sandbox has ${contacts.length}`);
  const [warmUp, ...rest] = contacts;
  const forRenders = rest.slice(0, RENDERS);
  const forSaves = rest.slice(RENDERS, RENDERS + SAVES);
  const linkOf = (c: CrmContact) => preferenceLink(SECRET, base, c.id, new Date())!;

  const context = await browser.newContext({ viewport: { width: 375, height: 812 } });
  // Warm-up without latency: browser, server JIT, the catalogue's first read.
  for (let i = 0; i < 3; i++) {
    const page = await context.newPage();
    await page.goto(linkOf(warmUp!));
    await page.close();
  }

  console.error(`[bench:preferences] ${RENDERS} renders, ${SAVES} saves, ${LATENCY_MS} ms on every CRM call`);
  sandbox.faults.set({ latencyMs: LATENCY_MS });
  const paints: number[] = [];
  const responses: number[] = [];
  for (const c of forRenders) {
    const page = await context.newPage();
    const res = await page.goto(linkOf(c), { waitUntil: 'load' });
    if (res?.status() !== 200) throw new Error(`page for ${c.id}: ${res?.status()}`);
    // The paint entry is queued after the frame: wait for it (buffered), up to 5 s.
    const timing = (await page.evaluate(`new Promise((done) => {
      const nav = performance.getEntriesByType('navigation')[0];
      const finish = (paint) => done({ paint, response: nav ? nav.responseStart : null });
      const timer = setTimeout(() => finish(null), 5000);
      new PerformanceObserver((list, observer) => {
        const fcp = list.getEntries().find((e) => e.name === 'first-contentful-paint');
        if (!fcp) return;
        observer.disconnect();
        clearTimeout(timer);
        finish(fcp.startTime);
      }).observe({ type: 'paint', buffered: true });
    })`)) as { paint: number | null; response: number | null };
    if (timing.paint === null) throw new Error(`no first-contentful-paint entry for ${c.id}`);
    paints.push(timing.paint);
    if (timing.response !== null) responses.push(timing.response);
    await page.close();
  }

  // Saves: the customer turns a topic off and sets quiet hours (subscription type, property, note).
  const saves: number[] = [];
  for (const c of forSaves) {
    const token = decodeURIComponent(linkOf(c).split('/p/')[1]!);
    const started = performance.now();
    const res = await fetch(`${base}/p`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        token,
        'topic.rates.enabled': 'off',
        quietStart: '22:00',
        quietEnd: '07:00',
      }).toString(),
    });
    const html = await res.text();
    saves.push(performance.now() - started);
    if (res.status !== 200 || !html.includes('Saved')) throw new Error(`save for ${c.id}: ${res.status}`);
  }
  sandbox.faults.set({});

  const p95 = round(
    percentile(
      [...paints].sort((a, b) => a - b),
      95,
    ),
  );
  report({
    bench: 'preferences',
    metric: 'first_paint_p95_ms',
    value: p95,
    target: TARGET_P95_MS,
    pass: p95 < TARGET_P95_MS,
    details: {
      crm_latency_injected_ms: LATENCY_MS,
      ...summary('first_paint', paints),
      ...summary('response_start', responses),
      ...summary('save_round_trip', saves),
      viewport: '375x812 (phone)',
      store: db.kind,
      load_average_1m_before: round(loadBefore),
      load_average_1m_after: round(loadavg()[0]!),
      cpus: (await import('node:os')).cpus().length,
    },
  });
} finally {
  await browser.close();
  await new Promise((done) => (server ? server.close(done) : done(undefined)));
  await sandbox.close();
  await db.close();
}
