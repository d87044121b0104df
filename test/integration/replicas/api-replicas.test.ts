/**
 * Two API processes, started as `npm start` starts one, on one PostgreSQL, one Temporal and one
 * Slack app: a Slack event that reaches both (and Slack's retry of it) acts once, a submission
 * delivered to both is one touch, the singleton jobs run in one process and move to the other
 * within the lease time when their holder dies, and the sweep runs from one Temporal Schedule.
 */
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startHubSpotSandbox } from '../../../sandbox/hubspot/index.js';
import { startSlackStandIn, type SlackStandIn } from '../../../sandbox/slack/index.js';
import { startSmtpCatcher, type SmtpCatcher } from '../../../sandbox/smtp/index.js';
import { touchIdFor } from '../../../services/touch-intake.js';
import { ACTIONS, COMMANDS, TOUCH_BLOCKS } from '../../../slack-app/ids.js';
import { openDb, type Db } from '../../../store/db.js';
import { createLeaseStore, type LeaseRow } from '../../../store/leases.js';
import { migrate } from '../../../store/migrations.js';
import { createTouchStore } from '../../../store/touches.js';
import { startApiProcess, urlWithSchema, type ApiProcess } from '../../../testkit/api-process.js';
import { startPeopleTokens, type PeopleTokens } from '../../../testkit/people.js';
import { DEMO } from '../../../testkit/demo-data.js';
import { scratchPostgres, type ScratchPostgres } from '../../../testkit/postgres.js';
import { eventually, SANDBOX_TEST_TOKEN, TEST_API_TOKEN, TEST_SECRET, type Sandbox } from '../../../testkit/rapport.js';
import { sweepScheduleId } from '../../../workflows/maintenance/shared.js';
import { APPROVER, BROADCAST_ENV, OFFICER, REQUESTER, alertRequest } from '../broadcast/support.js';
import { BOT_TOKEN, SIGNING_SECRET, slackDriver, viewPayload } from '../slack/driver.js';

const LEASE_SECONDS = 3;
const ANA = { id: 'U0ANA', name: 'ana', email: 'ana@rapport.example', realName: 'Ana Reyes' };
const REQ = { id: 'U0ANALYST', name: 'analyst', email: REQUESTER, realName: 'Ana Lyst' };
const APR = { id: 'U0APPROVER', name: 'approver', email: APPROVER, realName: 'Ap Prover' };
const OFF = { id: 'U0OFFICER', name: 'officer', email: OFFICER, realName: 'Of Ficer' };
const JOBS = ['contact-sync', 'slack-alert-messages', 'slack-follow-ups'];

let postgres: ScratchPostgres;
let db: Db;
let sandbox: Sandbox;
let smtp: SmtpCatcher;
let slack: SlackStandIn;
let temporal: Client;
let taskQueue: string;
let a: ApiProcess;
let b: ApiProcess;
let people: PeopleTokens;

beforeAll(async () => {
  people = await startPeopleTokens();
  slack = await startSlackStandIn({ botToken: BOT_TOKEN, users: [ANA, REQ, APR, OFF] });
  sandbox = await startHubSpotSandbox({
    port: 0,
    seed: true,
    accessToken: SANDBOX_TEST_TOKEN,
    rateLimit: { perTenSeconds: 100 },
  });
  smtp = await startSmtpCatcher();
  postgres = await scratchPostgres();
  const schema = `test_${randomBytes(6).toString('hex')}`;
  db = await openDb({ databaseUrl: postgres.url, schema });
  // Migrated here, once: the processes below then find the schema as it should be.
  await migrate(db);
  temporal = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
  taskQueue = `test-replicas-${randomBytes(4).toString('hex')}`;
  const env = {
    ...BROADCAST_ENV,
    DATABASE_URL: urlWithSchema(postgres.url, schema),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: taskQueue,
    HUBSPOT_ACCESS_TOKEN: SANDBOX_TEST_TOKEN,
    HUBSPOT_BASE_PATH: sandbox.url,
    HUBSPOT_RATE_LIMIT: '100',
    CRM_RETRY_MAX_INTERVAL_SECONDS: '3',
    SMTP_URL: smtp.smtpUrl,
    RAPPORT_SECRET: TEST_SECRET,
    API_TOKENS: TEST_API_TOKEN,
    ...people.env,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    JOB_LEASE_SECONDS: String(LEASE_SECONDS),
    CONTACT_SYNC_INTERVAL_SECONDS: '1',
    LOG_LEVEL: 'info',
  };
  [a, b] = await Promise.all([startApiProcess({ env }), startApiProcess({ env })]);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await temporal?.schedule
    .getHandle(sweepScheduleId(taskQueue))
    .delete()
    .catch(() => undefined);
  await temporal?.connection.close();
  await db?.close();
  await postgres?.stop();
  await sandbox?.close();
  await smtp?.close();
  await slack?.close();
  await people?.close();
});

/** The driver of the Slack tests, posting to a process over HTTP. */
const to = (api: ApiProcess) => slackDriver({ request: (path, init) => fetch(`${api.url}${path}`, init) }, slack);
const api = async (p: ApiProcess, path: string, init: RequestInit & { json?: unknown } = {}) =>
  fetch(`${p.url}${path}`, {
    ...init,
    headers: {
      authorization: await people.authorization(init.json, TEST_API_TOKEN),
      'content-type': 'application/json',
    },
    body: init.json === undefined ? init.body : JSON.stringify(init.json),
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const leases = () => createLeaseStore(db).list();
/** The lease of a job while it is held (not expired). */
const heldLease = async (name: string): Promise<LeaseRow | undefined> =>
  (await leases()).find((l) => l.name === name && Date.parse(l.expiresAt) > Date.now());
/** The process whose log says it holds `holder`'s jobs. */
const holderOf = (lease: LeaseRow) => (lease.holder.split(':')[1] === String(a.pid) ? a : b);

describe('Slack events and submissions reaching both processes', () => {
  it('an event delivered to both, and Slack retrying it on both, is acted on once', async () => {
    const publishes = () => slack.callsTo('views.publish').filter((c) => c.args.user_id === ANA.id).length;
    const before = publishes();
    const event = { type: 'app_home_opened', user: ANA.id, channel: 'D0ANA', tab: 'home', event_ts: '1.2' };
    const eventId = `Ev${randomBytes(5).toString('hex').toUpperCase()}`;

    const first = await Promise.all([to(a).event(event, eventId), to(b).event(event, eventId)]);
    expect(first.map((r) => r.status)).toEqual([200, 200]);
    const retryHeaders = { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' };
    const retries = await Promise.all([
      to(a).event(event, eventId, retryHeaders),
      to(b).event(event, eventId, retryHeaders),
    ]);
    expect(retries.map((r) => [r.status, r.headers.get('x-slack-no-retry')])).toEqual([
      [200, '1'],
      [200, '1'],
    ]);

    await eventually(async () => (publishes() > before ? true : undefined), 15_000, 50);
    await sleep(1_500);
    expect(publishes()).toBe(before + 1);
    const { rows } = await db.query<{ answered: boolean }>(
      'select answered_at is not null as answered from slack_event_claims where event_id = $1',
      [eventId],
    );
    expect(rows).toEqual([{ answered: true }]);
  });

  it("Slack's retry of an event whose process died before answering acts on it", async () => {
    const publishes = () => slack.callsTo('views.publish').filter((c) => c.args.user_id === ANA.id).length;
    const before = publishes();
    const eventId = `Ev${randomBytes(5).toString('hex').toUpperCase()}`;
    // A process claimed it 4 s ago and died before its answer went out: Slack got no 2xx and retries.
    await db.query(
      `insert into slack_event_claims (event_id, holder, claimed_at) values ($1, 'gone:1:x', now() - interval '4 seconds')`,
      [eventId],
    );
    const event = { type: 'app_home_opened', user: ANA.id, channel: 'D0ANA', tab: 'home', event_ts: '1.3' };
    const retry = await to(b).event(event, eventId, {
      'x-slack-retry-num': '1',
      'x-slack-retry-reason': 'http_timeout',
    });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('x-slack-no-retry')).toBeNull();
    await eventually(async () => (publishes() > before ? true : undefined), 15_000, 50);
  });

  it('a touch modal submitted to both processes is one touch, confirmed once', async () => {
    const opens = slack.callsTo('views.open').length;
    expect((await to(a).command(COMMANDS.touch, { user: ANA.id })).res.status).toBe(200);
    const opened = await eventually(async () => slack.callsTo('views.open')[opens], 15_000, 50);
    const view = (
      opened.response as { view: { id: string; hash: string; callback_id: string; private_metadata: string } }
    ).view;
    const summary = `Two replicas, one touch ${Date.now()}`;
    const values = {
      [TOUCH_BLOCKS.customer]: {
        [ACTIONS.customerSelect]: {
          type: 'external_select',
          selected_option: { text: { type: 'plain_text', text: 'Joe Smith' }, value: String(DEMO.joe.id) },
        },
      },
      [TOUCH_BLOCKS.channel]: {
        [ACTIONS.channelSelect]: { type: 'static_select', selected_option: { value: 'call' } },
      },
      [TOUCH_BLOCKS.when]: { [ACTIONS.whenPicker]: { type: 'datetimepicker', selected_date_time: null } },
      [TOUCH_BLOCKS.summary]: { [ACTIONS.summaryInput]: { type: 'plain_text_input', value: summary } },
    };
    // The confirmation quotes the summary, wherever it goes (ephemeral, or a DM).
    const confirmations = () =>
      [...slack.callsTo('chat.postEphemeral'), ...slack.callsTo('chat.postMessage')].filter((c) =>
        JSON.stringify(c.args).includes(summary),
      ).length;
    const before = confirmations();
    const submission = { type: 'view_submission', user: { id: ANA.id }, view: viewPayload(view, values) };
    const answers = await Promise.all([to(a).interaction(submission), to(b).interaction(submission)]);
    expect(answers.map((r) => r.status)).toEqual([200, 200]);

    const touchId = touchIdFor(`slack-view-${view.id}`);
    const touch = await eventually(async () => {
      const res = await api(b, `/api/touches/${touchId}`);
      const body = res.ok ? ((await res.json()) as { status: string }) : undefined;
      return body?.status === 'synced' ? body : undefined;
    });
    expect(touch).toMatchObject({ status: 'synced', channel: 'call' });
    await eventually(async () => (confirmations() > before ? true : undefined), 15_000, 50);
    await sleep(1_500);
    expect(confirmations()).toBe(before + 1);
    const { rows } = await db.query<{ n: string }>(
      `select count(*) as n from slack_followups where key = $1 and done_at is not null`,
      [`touch:${ANA.id}:${view.id}`],
    );
    expect(Number(rows[0]!.n)).toBe(1);
  });
});

describe('work after ack() whose process died', () => {
  it('a journalled touch submission left unfinished is resumed by another process: one touch, one confirmation', async () => {
    const viewId = `V${randomBytes(5).toString('hex').toUpperCase()}`;
    const summary = `Journalled, then the process died ${Date.now()}`;
    // What a process writes before ack(); it died before running it (its claim ran out).
    await db.query(
      `insert into slack_followups (key, kind, payload, claimed_by, claimed_until)
       values ($1, 'touch', $2::jsonb, 'gone:1:x', now() - interval '1 second')`,
      [
        `touch:${ANA.id}:${viewId}`,
        JSON.stringify({
          userId: ANA.id,
          channelId: 'C0SALES',
          viewId,
          touch: { contactId: String(DEMO.joe.id), channel: 'meeting', summary, answers: {} },
        }),
      ],
    );
    const confirmations = () =>
      [...slack.callsTo('chat.postEphemeral'), ...slack.callsTo('chat.postMessage')].filter((c) =>
        JSON.stringify(c.args).includes(summary),
      ).length;
    // The recovery looks every 15 s.
    await eventually(async () => (confirmations() > 0 ? true : undefined), 40_000);
    const touchId = touchIdFor(`slack-view-${viewId}`);
    await eventually(async () => {
      const res = await api(a, `/api/touches/${touchId}`);
      return res.ok && ((await res.json()) as { status: string }).status === 'synced' ? true : undefined;
    });
    const { rows } = await db.query<{ done: boolean; attempts: number }>(
      'select done_at is not null as done, attempts from slack_followups where key = $1',
      [`touch:${ANA.id}:${viewId}`],
    );
    expect(rows).toEqual([{ done: true, attempts: 2 }]);
    await sleep(1_000);
    expect(confirmations()).toBe(1);
  });
});

describe('singleton jobs', () => {
  it('each job is held by exactly one process, and both processes report the same holder', async () => {
    const held = await eventually(async () => {
      const all = await Promise.all(JOBS.map(heldLease));
      return all.every(Boolean) ? (all as LeaseRow[]) : undefined;
    }, 30_000);
    expect(held.map((l) => l.name)).toEqual(JOBS);
    const fromA = (await (await api(a, '/api/status')).json()) as { jobs: { name: string; here: boolean }[] };
    const fromB = (await (await api(b, '/api/status')).json()) as { jobs: { name: string; here: boolean }[] };
    for (const name of JOBS) {
      const here = [fromA, fromB].map((s) => s.jobs.find((j) => j.name === name)?.here);
      expect(here.filter(Boolean), name).toHaveLength(1);
    }
  });

  it("an alert's approver DMs are posted once, and again once after the poller's process is killed", async () => {
    const dmsAbout = (alertId: string, user: string) =>
      slack
        .callsTo('chat.postMessage')
        .filter((c) => c.args.channel === `D${user.slice(1, 11)}` && JSON.stringify(c.args).includes(alertId));

    const submit = async (p: ApiProcess) => {
      const res = await api(p, '/api/alerts', { method: 'POST', json: alertRequest() });
      expect(res.status).toBe(202);
      return ((await res.json()) as { id: string }).id;
    };
    const first = await submit(a);
    await eventually(async () => (dmsAbout(first, APR.id).length > 0 ? true : undefined), 60_000);
    await sleep(3_000);
    expect(dmsAbout(first, APR.id)).toHaveLength(1);
    expect(dmsAbout(first, OFF.id)).toHaveLength(1);

    const poller = (await heldLease('slack-alert-messages'))!;
    const victim = holderOf(poller);
    const survivor = victim === a ? b : a;
    const killedAt = Date.now();
    await victim.kill();
    const taken = await eventually(
      async () => {
        const lease = await heldLease('slack-alert-messages');
        return lease && lease.holder !== poller.holder ? lease : undefined;
      },
      30_000,
      100,
    );
    const takeoverMs = Date.now() - killedAt;
    console.log(`slack-alert-messages taken over ${takeoverMs} ms after its holder was killed`);
    expect(holderOf(taken)).toBe(survivor);
    // The lease runs out at most LEASE_SECONDS after its last renewal; the survivor asks every third of it.
    expect(takeoverMs).toBeLessThan(LEASE_SECONDS * 1000 * (1 + 1 / 3) + 2_000);

    // The survivor holds every job now, and keeps the messages of new alerts going.
    await eventually(async () => {
      const all = await Promise.all(JOBS.map(heldLease));
      return all.every((l) => l && holderOf(l) === survivor) ? true : undefined;
    }, 30_000);
    const second = await submit(survivor);
    await eventually(async () => (dmsAbout(second, APR.id).length > 0 ? true : undefined), 60_000);
    await sleep(3_000);
    expect(dmsAbout(second, APR.id)).toHaveLength(1);
  });
});

describe('the sweep schedule', () => {
  it('exists once for the deployment, and its run starts the workflow of a touch Temporal never got', async () => {
    const described = await temporal.schedule.getHandle(sweepScheduleId(taskQueue)).describe();
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'sweepStaleWork', taskQueue });
    const ids: string[] = [];
    for await (const s of temporal.schedule.list()) if (s.scheduleId.endsWith(taskQueue)) ids.push(s.scheduleId);
    expect(ids).toEqual([sweepScheduleId(taskQueue)]);

    // A touch stored while Temporal was unreachable: a pending row, no workflow, two minutes old.
    const id = touchIdFor(`replicas-sweep-${Date.now()}`);
    await createTouchStore(db).insert({
      id,
      idempotencyKey: null,
      requestHash: 'swept',
      contactEmail: DEMO.joe.email,
      contactCrmId: String(DEMO.joe.id),
      companyId: null,
      contactVerified: true,
      channel: 'call',
      summary: 'Stored while Temporal was down',
      outcome: null,
      occurredAt: new Date().toISOString(),
      loggedBy: 'ana@rapport.example',
      source: 'api',
      sourceUrl: null,
      answers: {},
    });
    await db.query(`update touches set created_at = now() - interval '2 minutes' where id = $1`, [id]);
    await temporal.schedule.getHandle(sweepScheduleId(taskQueue)).trigger();
    await eventually(async () => {
      const { rows } = await db.query<{ status: string }>('select status from touches where id = $1', [id]);
      return rows[0]?.status === 'synced' ? true : undefined;
    }, 60_000);
  });
});
