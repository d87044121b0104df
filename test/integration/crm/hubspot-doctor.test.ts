import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cleanups } from '../../../main/steps/cleanups.js';
import { startCrm } from '../../../main/steps/crm.js';
import { openDb } from '../../../store/db.js';
import { eventually } from '../../../testkit/rapport.js';
import { loadEnv } from '../../../config/env.js';
import { runHubSpotDoctor, runHubSpotSetup } from '../../../main/index.js';
import { warnAboutPortal } from '../../../main/hubspot-portal.js';
import { SANDBOX_SCOPES } from '../../../sandbox/hubspot/scopes.js';
import { DEMO_CONTACTS, startHubSpotSandbox, type HubSpotSandbox } from '../../../sandbox/hubspot/index.js';
import { createHubSpotCrm } from '../../../crm/hubspot/index.js';
import { resolvePropertyMap } from '../../../crm/hubspot/property-map.js';

const TOKEN = 'doctor-test-token';
const run = promisify(execFile);
let seeded: HubSpotSandbox;
let empty: HubSpotSandbox;

const envFor = (sandbox: HubSpotSandbox, extra: Record<string, string> = {}) =>
  loadEnv({ HUBSPOT_ACCESS_TOKEN: TOKEN, HUBSPOT_BASE_PATH: sandbox.url, ...extra });

/** The npm script itself, as an operator runs it (async: the sandbox answers from this process). */
async function script(
  name: 'hubspot-doctor' | 'hubspot-setup',
  sandbox: HubSpotSandbox,
  extra: Record<string, string> = {},
) {
  try {
    const out = await run(process.execPath, ['--import', 'tsx', `scripts/${name}.ts`], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        HUBSPOT_ACCESS_TOKEN: TOKEN,
        HUBSPOT_BASE_PATH: sandbox.url,
        ...extra,
      },
      timeout: 90_000,
    });
    return { code: 0, stdout: out.stdout, stderr: out.stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

beforeAll(async () => {
  seeded = await startHubSpotSandbox({ seed: true, accessToken: TOKEN });
  empty = await startHubSpotSandbox({ seed: false, accessToken: TOKEN });
});
afterAll(async () => {
  await seeded?.close();
  await empty?.close();
});

describe('npm run hubspot:doctor', () => {
  it('names a missing scope and a missing property, with the fix for each, and exits non-zero', async () => {
    seeded.access.scopes = new Set(SANDBOX_SCOPES.filter((s) => s !== 'crm.objects.owners.read'));
    try {
      const result = await script('hubspot-doctor', seeded, { HUBSPOT_PROPERTY_REVENUE: 'lifetime_value' });
      expect(result.code).toBe(1);
      const line = (needle: string) => result.stdout.split('\n').find((l) => l.includes(needle)) ?? '';
      expect(line('crm.objects.owners.read')).toMatch(/MISSING.*add crm\.objects\.owners\.read/);
      expect(line('contacts.lifetime_value')).toMatch(/MISSING.*HUBSPOT_PROPERTY_REVENUE/);
      // What the sandbox does have reads OK: HubSpot's own hs_timezone, the seeded rapport_* property.
      expect(line('contacts.hs_timezone')).toContain('OK');
      expect(line('contacts.rapport_slack_user_id')).toContain('OK');
      expect(line('crm.lists.read')).toContain('OK');
      expect(result.stdout).toMatch(/\d+ problems? to fix/);
    } finally {
      seeded.access.scopes = null;
    }
  }, 120_000);

  it('calls a property of the wrong type wrong, naming the variable to change', async () => {
    const { findings, exitCode } = await runHubSpotDoctor(envFor(seeded, { HUBSPOT_PROPERTY_REVENUE: 'email' }), {
      measureLag: false,
    });
    expect(exitCode).toBe(1);
    expect(findings.find((f) => f.subject === 'contacts.email')).toMatchObject({
      status: 'wrong',
      fix: expect.stringContaining('HUBSPOT_PROPERTY_REVENUE'),
    });
  });

  it('says the token is wrong when the token info endpoint refuses it', async () => {
    const { findings, exitCode } = await runHubSpotDoctor(
      loadEnv({ HUBSPOT_ACCESS_TOKEN: 'not-the-token', HUBSPOT_BASE_PATH: seeded.url }),
    );
    expect(exitCode).toBe(1);
    expect(findings).toEqual([expect.objectContaining({ check: 'token', status: 'wrong' })]);
  });
});

describe('npm run hubspot:setup, then doctor', () => {
  it('creates every property Rapport needs once, typed, and doctor then finds everything OK', async () => {
    const before = await runHubSpotDoctor(envFor(empty), { measureLag: false });
    expect(before.findings.filter((f) => f.status === 'missing').map((f) => f.subject)).toEqual(
      expect.arrayContaining(['contacts.rapport_preferred_channel', 'notes.rapport_idempotency_key']),
    );

    const setup = await script('hubspot-setup', empty);
    expect(setup.code).toBe(0);
    expect(setup.stdout).toContain('created  contacts.rapport_preferred_channel');
    const channel = empty.state().propertyDefs('contacts').get('rapport_preferred_channel')!;
    expect(channel.type).toBe('enumeration');
    expect(channel.options.map((o) => o.value)).toEqual(['email', 'slack', 'sms']);
    expect(empty.state().propertyDefs('tasks').get('rapport_idempotency_key')?.groupName).toBe('rapport');

    const again = await runHubSpotSetup(envFor(empty));
    expect(again.at(-1)).toMatch(/^0 created, \d+ already there\.$/);

    const doctor = await script('hubspot-doctor', empty);
    expect(doctor.stdout).toContain('All checks passed.');
    expect(doctor.stdout).toMatch(/search index lag \(notes\)\s+OK\s+a new note was searchable after \d+\.\d s/);
    expect(doctor.code).toBe(0);
    // The probe note is gone again.
    expect(empty.records('notes')).toEqual([]);
  }, 120_000);
});

describe('npm start on a real portal', () => {
  it('warns once per problem, naming it', async () => {
    const warnings: string[] = [];
    const spy = { warn: (_: object, msg: string) => void warnings.push(msg), info: () => undefined };
    await warnAboutPortal(envFor(seeded, { HUBSPOT_PROPERTY_SLACK_USER_ID: 'slack_id' }), spy);
    expect(warnings.filter((w) => w.includes('contacts.slack_id'))).toHaveLength(1);
    expect(warnings.find((w) => w.includes('contacts.slack_id'))).toContain('HUBSPOT_PROPERTY_SLACK_USER_ID');
  });
});

describe('the CRM start-up step on a real portal', () => {
  it('runs the checks in the background and warns once per problem, by name', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n').filter(Boolean))
          lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    const logger = pino({ level: 'info' }, sink);
    const cleanups = new Cleanups(() => undefined);
    const db = await openDb({});
    seeded.access.scopes = new Set(SANDBOX_SCOPES.filter((s) => s !== 'crm.objects.owners.read'));
    try {
      await startCrm(envFor(seeded, { HUBSPOT_PROPERTY_SLACK_USER_ID: 'slack_id' }), logger, '.', db, cleanups);
      const warned = (subject: string) => lines.filter((l) => l.subject === subject && l.level === 40);
      await eventually(async () => (warned('contacts.slack_id').length > 0 ? true : undefined), 30_000);
      await eventually(async () => (warned('crm.objects.owners.read').length > 0 ? true : undefined), 30_000);
      expect(warned('contacts.slack_id')).toHaveLength(1);
      expect(String(warned('contacts.slack_id')[0]!.msg)).toContain('HUBSPOT_PROPERTY_SLACK_USER_ID');
      expect(warned('crm.objects.owners.read')).toHaveLength(1);
      // Rapport's own properties were created by the start-up schema check: nothing else to warn about.
      expect(
        lines
          .filter((l) => l.level === 40 && typeof l.subject === 'string')
          .map((l) => l.subject)
          .sort(),
      ).toEqual(['contacts.slack_id', 'crm.objects.owners.read']);
    } finally {
      seeded.access.scopes = null;
      await cleanups.run();
      await db.close();
    }
  }, 120_000);
});

describe('the sandbox seeds both layouts of the mapped facts', () => {
  it("reads the same customer through HubSpot's own properties and through rapport_* ones", async () => {
    const read = (propertyMap: ReturnType<typeof resolvePropertyMap>) =>
      createHubSpotCrm({ accessToken: TOKEN, basePath: seeded.url, propertyMap }).getContact(DEMO_CONTACTS.maria.id);
    const native = await read(resolvePropertyMap());
    const custom = await read(
      resolvePropertyMap({
        revenue: 'rapport_total_revenue',
        lastPurchase: 'rapport_last_purchase_date',
        customerSince: 'rapport_customer_since',
      }),
    );
    expect(Number(native!.properties.rapport_total_revenue)).toBeGreaterThan(0);
    expect(Number(native!.properties.rapport_total_revenue)).toBe(Number(custom!.properties.rapport_total_revenue));
    expect(native!.properties.rapport_last_purchase_date!.slice(0, 10)).toBe(
      custom!.properties.rapport_last_purchase_date!.slice(0, 10),
    );
    expect(native!.properties.rapport_customer_since!.slice(0, 10)).toBe(
      custom!.properties.rapport_customer_since!.slice(0, 10),
    );
  });
});
