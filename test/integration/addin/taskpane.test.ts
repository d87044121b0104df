import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAddin } from '../../../scripts/build-addin.js';
import { DEMO } from '../../../testkit/demo-data.js';
import { eventually, startTestRapport, type TestRapport } from '../../../testkit/rapport.js';
import {
  BROADCAST_ENV,
  REQUESTER,
  getAlert,
  htmlOf,
  linkPath,
  mailFor,
  submit,
  waitForStatus,
} from '../broadcast/support.js';
import { officeStubScript, type StubMessage } from '../../../testkit/office-stub.js';

/**
 * The task pane as Outlook runs it: the real bundle, served by Rapport, in headless Chromium,
 * inside an Office.js stand-in (selected message, sender, headers, item-changed events).
 */
const ARTIFACTS = resolve('test-artifacts/addin');
const REP = 'rep@rapport.example';
/**
 * The pane's development sign-in (ADDIN_DEV_USER), here also an approver: Alice, the CRM owner of
 * Joe's seeded follow-up (not of Maria's), so the pane may complete one and not the other.
 */
const DEV_USER = 'alice.moreau@rapport-demo.example';

const message = (email: string, name: string, subject: string, extra: Partial<StubMessage> = {}): StubMessage => ({
  subject,
  from: { emailAddress: email, displayName: name },
  internetMessageId: `<${subject.replace(/\W+/g, '-')}-${email}@mail.example>`,
  ...extra,
});

const MESSAGES: StubMessage[] = [
  message(DEMO.joe.email, 'Joe Smith', 'Renewal next quarter'),
  message(DEMO.maria.email, 'Maria Garcia', 'Campaign results'),
  message('stranger@nowhere.example', 'A Stranger', 'Hello there'),
  message('colleague@rapport.example', 'A Colleague', 'Lunch?'),
  message('approver-bot@rapport.example', 'Rapport', 'Approval needed: Q4 price update', {
    headers:
      'From: alerts@rapport.example\r\nX-Rapport-Alert-Id:\r\n  alr_01JTESTALERT0001\r\nSubject: Approval needed\r\n',
  }),
  message(DEMO.noah.email, 'Noah Wilson', 'Question about pricing'),
  message(DEMO.aisha.email, 'Aisha Bello', 'Quick question'),
];

let t: TestRapport;
let server: ServerType;
let base: string;
let browser: Browser;
let page: Page;
/** What Chromium refused under the pages' Content-Security-Policy, page by page. */
const cspViolations: string[] = [];
let paneHeaders: Record<string, string> = {};
const watchCsp = (p: Page) =>
  p.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(`${p.url()}: ${m.text()}`);
  });

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await buildAddin({ minify: false, sourcemap: false });
  t = await startTestRapport({
    env: {
      ADDIN_DEV_AUTH: 'true',
      ADDIN_DEV_USER: DEV_USER,
      ...BROADCAST_ENV,
      APPROVER_GROUPS: `alerts=${DEV_USER},officer@bank.example,${REQUESTER}`,
    },
  });
  server = await new Promise<ServerType>((done) => {
    const s = serve({ fetch: t.rapport.app.fetch, hostname: '127.0.0.1', port: 0 }, () => done(s));
  });
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  // The narrow Outlook task pane.
  page = await browser.newPage({ viewport: { width: 340, height: 900 } });
  page.on('pageerror', (e) => console.error('[pane]', e.message));
  watchCsp(page);
  await page.route('https://appsforoffice.microsoft.com/**', (route) =>
    route.fulfill({ contentType: 'text/javascript', body: officeStubScript({ messages: MESSAGES, user: REP }) }),
  );
  paneHeaders = (await page.goto(`${base}/addin/taskpane.html`))?.headers() ?? {};
});

afterAll(async () => {
  await browser?.close();
  await new Promise((done) => (server ? server.close(done) : done(undefined)));
  await t?.stop();
});

const select = (i: number) =>
  page.evaluate(
    (index) => (globalThis as unknown as { __office: { select(i: number): void } }).__office.select(index),
    i,
  );
const text = (testId: string) => page.getByTestId(testId).innerText();

describe('Outlook task pane', () => {
  it("shows the sender's customer context: segments, timeline, next best action, next question", async () => {
    await page.getByTestId('customer-view').waitFor();
    expect(await text('customer-name')).toContain('Joe Smith');
    expect(await text('customer-owner')).toContain('Alice Moreau');
    const segments = await text('segments');
    expect(segments).toContain('Gold');
    expect(segments).toContain('$250,000');
    expect(segments).toMatch(/Bought 1[12] days ago/);
    expect(await page.getByTestId('timeline').locator('li').count()).toBeGreaterThanOrEqual(6);
    expect(await text('next-best-action')).toContain('Check that the last order met expectations');
    expect(await text('next-questions')).toContain('Who else takes part in buying decisions');
    expect(await page.getByTestId('dev-auth-banner').innerText()).toContain('DEVELOPMENT SIGN-IN');
    await page.screenshot({ path: resolve(ARTIFACTS, 'customer-joe.png'), fullPage: true });
  });

  it('follows the selected message when pinned', async () => {
    await select(1);
    await expect.poll(() => text('customer-name')).toContain('Maria Garcia');
    expect(await text('customer-owner')).toContain('Ben Okafor');
    await page.screenshot({ path: resolve(ARTIFACTS, 'customer-maria.png'), fullPage: true });
  });

  it('logs the open email as a touch, with an answer, and it lands in the CRM', async () => {
    await select(0);
    await expect.poll(() => text('customer-name')).toContain('Joe Smith');
    await page.locator('[data-question="decision_maker"]').fill('Their CFO, Dana');
    await page.getByTestId('touch-note').fill('Asked for a renewal quote.');
    await page.getByTestId('log-button').click();
    await expect.poll(() => text('log-result'), { timeout: 15_000 }).toMatch(/Logged/);
    await page.screenshot({ path: resolve(ARTIFACTS, 'logged-touch.png'), fullPage: true });

    const contact = (await t.rapport.crm.findContactByEmail(DEMO.joe.email))!;
    const email = await eventually(async () => {
      const timeline = await t.rapport.crm.listContactEngagements(contact.id);
      return timeline.find((e) => e.kind === 'email' && e.body.includes('Renewal next quarter'));
    });
    expect(email.body).toContain('Asked for a renewal quote.');
    expect(email.body).toContain(`Logged by ${DEV_USER} via Rapport (outlook)`);
    const answered = await eventually(async () => {
      const fresh = await t.rapport.crm.getContact(contact.id);
      return fresh?.properties.rapport_q_decision_maker ?? undefined;
    });
    expect(answered).toBe('Their CFO, Dana');

    // The same email logged again is one touch.
    await page.reload();
    await page.getByTestId('customer-view').waitFor();
    await page.getByTestId('log-button').click();
    await expect.poll(() => text('log-result'), { timeout: 15_000 }).toMatch(/already logged|Logged/);
    const emails = (await t.rapport.crm.listContactEngagements(contact.id)).filter(
      (e) => e.kind === 'email' && e.body.includes('Renewal next quarter'),
    );
    expect(emails).toHaveLength(1);
  });

  it("lists open follow-ups and marks one done in the CRM; a colleague's is refused, said so", async () => {
    await select(1);
    await expect.poll(() => text('customer-name')).toContain('Maria Garcia');
    // Maria's follow-up is Ben's own (in the CRM), not one Rapport created: not Alice's to complete.
    const bens = page.getByTestId('follow-up').filter({ hasText: 'Book the partnership review' });
    const bensId = (await bens.getAttribute('data-follow-up'))!;
    await bens.getByTestId('follow-up-done').click();
    await page.getByTestId('follow-up-error').waitFor();
    expect(await text('follow-up-error')).toContain('owned by someone else');
    expect(await page.locator(`[data-follow-up="${bensId}"]`).count()).toBe(1);
    expect(t.sandbox.records('tasks').find((r) => r.id === bensId)?.properties.hs_task_status).toBe('NOT_STARTED');

    await select(0);
    await expect.poll(() => text('customer-name')).toContain('Joe Smith');
    const item = page.getByTestId('follow-up').filter({ hasText: 'Send Q4 pricing' });
    await item.waitFor();
    expect(await item.innerText()).toMatch(/due in \d+ days/);
    const id = (await item.getAttribute('data-follow-up'))!;
    expect(id).toMatch(/^\d+$/);
    await page.screenshot({ path: resolve(ARTIFACTS, 'follow-ups.png'), fullPage: true });

    await item.getByTestId('follow-up-done').click();
    // Marked done at once, then gone when the context comes back from the CRM.
    await expect.poll(() => page.locator(`[data-follow-up="${id}"]`).count(), { timeout: 15_000 }).toBe(0);
    expect(await text('follow-ups')).toContain('Nothing open.');
    const done = t.sandbox.records('tasks').find((r) => r.id === id)!;
    expect(done.properties.hs_task_status).toBe('COMPLETED');
    expect(done.properties.hs_task_body).toContain(`Completed by ${DEV_USER} via Rapport (outlook) at `);
    expect(await page.getByTestId('follow-up-error').count()).toBe(0);
    await page.screenshot({ path: resolve(ARTIFACTS, 'follow-up-done.png'), fullPage: true });

    // A fresh load of the pane no longer shows it.
    await page.reload();
    await page.getByTestId('customer-view').waitFor();
    expect(await text('follow-ups')).toContain('Nothing open.');
  });

  it('is friendly about unknown senders, colleagues and approval requests', async () => {
    await select(2);
    await page.getByTestId('state-unknown').waitFor();
    expect(await text('state-unknown')).toContain('stranger@nowhere.example');
    await page.screenshot({ path: resolve(ARTIFACTS, 'unknown-sender.png'), fullPage: true });

    await select(3);
    await page.getByTestId('state-internal').waitFor();

    await select(4);
    await page.getByTestId('approval-view').waitFor();
    expect(await text('approval-view')).toContain('alr_01JTESTALERT0001');
  });

  it('approves a real approval email: the workflow is approved and the alert goes out', async () => {
    const alertId = await submit(t, { lists: ['1', '2', '3', '4', '6'], title: 'Q4 rates: fixed deposits up' });
    const before = await waitForStatus(t, alertId, 'awaiting_approval');
    // The approval email Rapport sent the development user, as the catcher got it.
    const caught = await eventually(async () => mailFor(t, DEV_USER, alertId)[0]);
    const raw = (await t.smtp.raw(caught.id))!.toString('utf8');
    const parsed = (await t.smtp.parsed(caught.id))!;
    const approval: StubMessage = {
      subject: parsed.subject ?? '',
      from: { emailAddress: parsed.from?.value[0]?.address ?? '', displayName: parsed.from?.value[0]?.name ?? '' },
      internetMessageId: parsed.messageId ?? '<approval@rapport.example>',
      headers: raw.slice(0, raw.search(/\r?\n\r?\n/)),
      body: parsed.text ?? '',
    };
    expect(approval.headers).toMatch(/^X-Rapport-Alert-Id: alr_/im);
    const index = await page.evaluate(
      (m) => (globalThis as unknown as { __office: { add(m: unknown): number } }).__office.add(m),
      approval,
    );
    await select(index);

    const view = page.locator(`[data-testid="approval-view"][data-alert-id="${alertId}"]`);
    await view.waitFor();
    expect(await text('approval-title')).toContain('Q4 rates: fixed deposits up');
    expect(await text('approval-requester')).toContain(`Requested by ${REQUESTER}`);
    expect(await text('approval-preview')).toContain('fixed deposit');
    expect(await text('approval-recipients')).toContain(`${before.audience!.deliveries} recipient`);
    expect(await text('approval-duplicates')).toContain(`${before.audience!.duplicates} duplicate`);
    expect(await text('approval-suppressed')).toMatch(/same email address on another record/);
    expect(await text('approval-channels')).toContain(`Email ${before.audience!.deliveries}`);
    await page.screenshot({ path: resolve(ARTIFACTS, 'approval-request.png'), fullPage: true });

    // Reject needs a reason: the confirm button stays disabled without one.
    await page.getByTestId('reject').click();
    expect(await page.getByTestId('confirm-decision').isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Cancel' }).click();

    await page.getByTestId('approve').click();
    await expect.poll(() => text('approval-state'), { timeout: 30_000 }).toContain(`Approved by ${DEV_USER}`);
    await page.screenshot({ path: resolve(ARTIFACTS, 'approval-approved.png'), fullPage: true });

    // The real workflow moved on, and the alert went out: one email per recipient.
    expect(['approved', 'dispatching', 'following_up', 'completed']).toContain((await getAlert(t, alertId)).status);
    await waitForStatus(t, alertId, ['following_up', 'completed'], 120_000);
    const sent = t.smtp.messages().filter((m) => m.alertId === alertId && m.contactId);
    expect(sent).toHaveLength(before.audience!.deliveries);
    expect(t.smtp.duplicates().filter((d) => d.alertId === alertId)).toEqual([]);

    // Opening the request again shows who decided, not the buttons.
    await select(0);
    await expect.poll(() => text('customer-name')).toContain('Joe Smith');
    await select(index);
    await expect.poll(() => text('approval-state')).toContain(`Approved by ${DEV_USER}`);
    expect(await page.getByTestId('approve').count()).toBe(0);
  });

  it('renders markup from the CRM as text, never as HTML', async () => {
    const noah = (await t.rapport.crm.findContactByEmail(DEMO.noah.email))!;
    const evil = '<img src=x onerror="window.__xss=1">';
    await t.rapport.crm.updateContactProperties(noah.id, { jobtitle: `<script>window.__xss=2</script>${evil}` });
    await t.rapport.crm.createEngagement({
      kind: 'note',
      idempotencyKey: 'xss-note-1',
      contactId: noah.id,
      timestamp: new Date().toISOString(),
      title: `<b onmouseover="window.__xss=3">Title</b>`,
      body: `<script>window.__xss=4</script>${evil}`,
    });
    await select(5);
    await expect.poll(() => text('customer-name')).toContain('Noah Wilson');
    expect(await text('customer-name')).toContain('<script>window.__xss=2</script>');
    expect(await text('timeline')).toContain('<script>window.__xss=4</script>');
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('#root img[src="x"]').count()).toBe(0);
  });

  it('is served under its Content-Security-Policy: Office.js from the CDN, framed only by Outlook and Office', () => {
    const csp = paneHeaders['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self' https://appsforoffice.microsoft.com;");
    expect(csp).toMatch(/frame-ancestors 'self' https:\/\/outlook\.office\.com /);
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
    expect(paneHeaders['x-content-type-options']).toBe('nosniff');
    expect(paneHeaders['x-frame-options']).toBeUndefined();
  });

  it("opens approval, answer and unsubscribe links' pages with their styles and nothing else", async () => {
    const alertId = await submit(t, { lists: ['1'], title: 'CSP check' });
    await waitForStatus(t, alertId, 'awaiting_approval');
    const approval = await eventually(async () => mailFor(t, 'officer@bank.example', alertId)[0]);
    const approvalPath = linkPath(await htmlOf(t, approval.id), /\/approvals\//);
    const links = await browser.newPage();
    watchCsp(links);
    try {
      const opened = await links.goto(`${base}${approvalPath}`);
      expect(opened?.status()).toBe(200);
      expect(opened?.headers()['content-security-policy']).toMatch(
        /^default-src 'none'; style-src 'sha256-[^']+'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'$/,
      );
      expect(opened?.headers()['x-frame-options']).toBe('DENY');
      expect(opened?.headers()['referrer-policy']).toBe('no-referrer');
      // The page's own style sheet applies: its hash is the one the policy allows.
      expect(await links.evaluate<string>('getComputedStyle(document.body).fontFamily')).toContain('Arial');

      await t.api(`/api/alerts/${alertId}/decision`, {
        method: 'POST',
        json: { approver: 'officer@bank.example', decision: 'approve' },
      });
      await waitForStatus(t, alertId, ['following_up', 'completed'], 120_000);
      const sent = t.smtp.messages().find((m) => m.alertId === alertId && m.contactId)!;
      const answerPath = linkPath(await htmlOf(t, sent.id), /\/r\//);
      // One-click unsubscribe is in the List-Unsubscribe header.
      const unsubscribePath = /\/u\/[\w.~%-]+/.exec((await t.smtp.raw(sent.id))!.toString('utf8'))![0];
      for (const path of [answerPath, unsubscribePath]) {
        const res = await links.goto(`${base}${path}`);
        expect(res?.status()).toBe(200);
        expect(res?.headers()['content-security-policy']).toContain("default-src 'none'");
        expect(await links.evaluate<string>('getComputedStyle(document.body).fontFamily')).toContain('Arial');
      }
    } finally {
      await links.close();
    }
  });

  it('says so when the CRM is unreachable', async () => {
    t.sandbox.faults.set({ refuse: true });
    try {
      await select(6);
      await page.getByTestId('state-unavailable').waitFor({ timeout: 30_000 });
      await page.screenshot({ path: resolve(ARTIFACTS, 'crm-unreachable.png'), fullPage: true });
    } finally {
      t.sandbox.faults.clear();
    }
    await page.getByRole('button', { name: 'Try again' }).click();
    await expect.poll(() => text('customer-name'), { timeout: 30_000 }).toContain('Aisha Bello');
  });

  it('ran without a single Content-Security-Policy violation', () => {
    expect(cspViolations).toEqual([]);
  });
});
