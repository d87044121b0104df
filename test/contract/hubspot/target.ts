import { Client } from '@hubspot/api-client';
import {
  DEMO_COMPANIES,
  DEMO_CONTACTS,
  startHubSpotSandbox,
  type HubSpotSandbox,
} from '../../../sandbox/hubspot/index.js';

/** Where the contract suite runs: the sandbox, or a real developer test portal. */
export interface ContractTarget {
  name: string;
  baseUrl: string;
  token: string;
  /** Present against the sandbox: the switches for answers a real portal cannot be made to give. */
  sandbox?: HubSpotSandbox;
  contact: { id: string; email: string };
  /** A second address whose subscriptions the suite may change. */
  subscriberEmail: string;
  companyId?: string;
  /** A subscription type id of the portal (email channel). */
  subscriptionId?: string;
  /** Records the suite created through the adapter, archived at the end on a real portal. */
  created: { objectType: string; id: string }[];
  close(): Promise<void>;
}

export const CONTRACT_TOKEN = process.env.HUBSPOT_CONTRACT_TOKEN ?? '';
export const CONTRACT_BASE_URL = process.env.HUBSPOT_CONTRACT_BASE_URL ?? 'https://api.hubapi.com';
/** Every record the suite makes on a real portal carries this in its name, so a person can find strays. */
export const TEST_RECORD_MARK = 'rapport-contract-test';

export async function sandboxTarget(): Promise<ContractTarget> {
  const token = 'contract-suite-token';
  // No search lag: the suite is about shapes; lag has its own tests (test/integration/crm/).
  const sandbox = await startHubSpotSandbox({ seed: true, accessToken: token, realism: { searchLagMs: 0 } });
  return {
    name: 'sandbox',
    baseUrl: sandbox.url,
    token,
    sandbox,
    contact: { id: DEMO_CONTACTS.joe.id, email: DEMO_CONTACTS.joe.email },
    subscriberEmail: DEMO_CONTACTS.noah.email,
    companyId: DEMO_COMPANIES.acme.id,
    subscriptionId: '1004',
    created: [],
    close: () => sandbox.close(),
  };
}

/**
 * A real portal: a clearly named test contact is created for the run (outside the recorded
 * traffic) and archived afterwards with everything the suite made on it.
 */
export async function portalTarget(): Promise<ContractTarget> {
  const client = new Client({ accessToken: CONTRACT_TOKEN, basePath: CONTRACT_BASE_URL });
  const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const email = `${TEST_RECORD_MARK}-${run}@example.com`;
  const subscriberEmail = `${TEST_RECORD_MARK}-${run}-sub@example.com`;
  const contact = await client.crm.contacts.basicApi.create({
    properties: { email, firstname: 'Rapport contract test', lastname: run },
    associations: [],
  });
  const subscriber = await client.crm.contacts.basicApi.create({
    properties: { email: subscriberEmail, firstname: 'Rapport contract test', lastname: `${run} subscriber` },
    associations: [],
  });
  const definitions = await client.communicationPreferences.definitionApi.getPage().catch(() => undefined);
  const created: ContractTarget['created'] = [];
  return {
    name: 'portal',
    baseUrl: CONTRACT_BASE_URL,
    token: CONTRACT_TOKEN,
    contact: { id: contact.id, email },
    subscriberEmail,
    subscriptionId: definitions?.subscriptionDefinitions.find((d) => d.isActive)?.id,
    created,
    async close() {
      for (const { objectType, id } of [
        ...created,
        { objectType: 'contacts', id: contact.id },
        { objectType: 'contacts', id: subscriber.id },
      ]) {
        await client.crm.objects.basicApi.archive(objectType, id).catch(() => undefined);
      }
    },
  };
}
