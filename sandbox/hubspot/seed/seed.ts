import { makeProperty } from '../property-catalog.js';
import { SandboxState, type CrmRecord } from '../state.js';
import { createClock } from './clock.js';
import { COMPANY_COUNT, seedCompanies } from './companies.js';
import { createContact, randomPerson } from './contacts.js';
import { DEMO_COMPANIES, DEMO_CONTACTS, DEMO_OWNERS, type DemoContact } from './demo.js';
import { seedLists } from './lists.js';
import { createRandom } from './prng.js';
import { seedEngagement, seedTask } from './timeline.js';

export const SEED = { companies: COMPANY_COUNT, contacts: 520, random: 20_261_101 } as const;

/** Custom contact properties the customer's portal already has (the seed's book of business uses them). */
export const SEEDED_CUSTOM_PROPERTIES = [
  { name: 'rapport_total_revenue', label: 'Total revenue', type: 'number' },
  { name: 'rapport_last_purchase_date', label: 'Last purchase date', type: 'date' },
  { name: 'rapport_customer_since', label: 'Customer since', type: 'date' },
  {
    name: 'rapport_preferred_channel',
    label: 'Preferred channel',
    type: 'enumeration',
    options: ['email', 'slack', 'sms'],
  },
  { name: 'rapport_slack_user_id', label: 'Slack user id', type: 'string' },
] as const;

function addCustomProperties(state: SandboxState, at: string) {
  state.groups.get('contacts')!.set('rapport', { name: 'rapport', label: 'Rapport', displayOrder: 1 });
  const defs = state.propertyDefs('contacts');
  for (const p of SEEDED_CUSTOM_PROPERTIES) {
    defs.set(
      p.name,
      makeProperty({ ...p, groupName: 'rapport', options: 'options' in p ? [...p.options] : undefined }, at, false),
    );
  }
}

/** The same book of business every time for a given `now`: ids, names, lists and memberships are fixed. */
export function seedState(now = Date.now()): SandboxState {
  const rng = createRandom(SEED.random);
  const clock = createClock(now);
  const state = new SandboxState(clock.at(3000));
  addCustomProperties(state, clock.at(1000));
  state.owners = DEMO_OWNERS.map((o) => ({
    ...o,
    createdAt: clock.at(1500),
    updatedAt: clock.at(100),
    archived: false,
  }));

  const companies = seedCompanies(state, rng, clock);
  const companyByKey = (key: keyof typeof DEMO_COMPANIES | null) =>
    key ? companies.find((c) => c.id === DEMO_COMPANIES[key].id)! : null;

  const demo = new Map<string, CrmRecord>();
  for (const [name, d] of Object.entries(DEMO_CONTACTS) as [string, DemoContact][]) {
    const record = createContact(state, { ...d, company: companyByKey(d.company) }, rng, clock, demo.size);
    if (record.id !== d.id) throw new Error(`seed drifted: ${name} got id ${record.id}, README says ${d.id}`);
    demo.set(name, record);
  }

  const usedEmails = new Set([...demo.values()].map((c) => c.properties.email!.toLowerCase()));
  const generated: CrmRecord[] = [];
  const duplicates: [CrmRecord, CrmRecord][] = [];
  const total = SEED.contacts - demo.size;
  for (let i = 0; generated.length + duplicates.length < total; i++) {
    const person = randomPerson(rng, companies, usedEmails);
    // A few imported-before-validation addresses.
    if (i === 50) person.email = person.email.replace('@', ' at ');
    if (i === 300) person.email = person.email.replace(/@.*/, '@');
    const record = createContact(state, person, rng, clock, 200 + i);
    generated.push(record);
    // Duplicate records whose emails differ only in case, as imports leave behind.
    if (i === 120 || i === 260) {
      const upper = person.email.replace(/(^|[.@-])([a-z])/g, (_, sep: string, ch: string) => sep + ch.toUpperCase());
      duplicates.push([record, createContact(state, { ...person, email: upper }, rng, clock, 900 + i)]);
    }
  }

  const joe = demo.get('joe')!;
  for (const [kind, daysAgo] of [
    ['notes', 3],
    ['notes', 20],
    ['notes', 95],
    ['calls', 8],
    ['meetings', 45],
    ['emails', 2],
  ] as const) {
    seedEngagement(state, rng, clock, joe, kind, daysAgo);
  }
  for (const contact of rng.sample(generated, 60)) {
    for (let k = rng.int(1, 4); k > 0; k--) {
      seedEngagement(
        state,
        rng,
        clock,
        contact,
        rng.pick(['notes', 'calls', 'emails', 'meetings'] as const),
        rng.int(1, 400),
      );
    }
  }
  for (const [name, subject] of [
    ['joe', 'Send Q4 pricing'],
    ['maria', 'Book the partnership review'],
    ['liam', 'Win-back call'],
  ] as const) {
    seedTask(state, clock, demo.get(name)!, subject);
  }

  seedLists(state, rng, clock, demo, generated, duplicates);
  return state;
}
