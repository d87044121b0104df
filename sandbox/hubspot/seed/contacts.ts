import { createRecord } from '../records.js';
import type { CrmRecord, SandboxState } from '../state.js';
import { slug, type Clock } from './clock.js';
import { DEMO_OWNERS, type DemoContact } from './demo.js';
import type { Random } from './prng.js';
import { FIRST_NAMES, JOB_TITLES, LAST_NAMES, LOCATIONS } from './vocabulary.js';

export interface PersonSpec extends Omit<DemoContact, 'id' | 'company' | 'note' | 'manualLists'> {
  company: CrmRecord | null;
}

export function createContact(state: SandboxState, p: PersonSpec, rng: Random, clock: Clock, n: number): CrmRecord {
  const location = LOCATIONS[p.location]!;
  const props: Record<string, string> = {
    email: p.email,
    firstname: p.firstName,
    lastname: p.lastName,
    jobtitle: p.jobTitle,
    phone: location.phone(n),
    city: location.city,
    country: location.country,
    hs_timezone: p.timezone,
    lifecyclestage: p.lifecycleStage,
    hubspot_owner_id: DEMO_OWNERS[p.ownerIndex]!.id,
    hs_email_optout: String(p.emailOptOut),
    rapport_preferred_channel: p.preferredChannel,
    createdate: clock.at(rng.int(Math.max(p.customerSinceDaysAgo ?? 0, 30), 3000)),
  };
  if (location.state) props.state = location.state;
  if (p.company) props.company = p.company.properties.name!;
  if (p.mobile) props.mobilephone = p.mobile;
  if (p.slackUserId) props.rapport_slack_user_id = p.slackUserId;
  if (p.totalRevenue) props.rapport_total_revenue = p.totalRevenue;
  if (p.lastPurchaseDaysAgo !== undefined) props.rapport_last_purchase_date = clock.date(p.lastPurchaseDaysAgo);
  if (p.customerSinceDaysAgo !== undefined) props.rapport_customer_since = clock.date(p.customerSinceDaysAgo);
  // The same facts in HubSpot's own properties too (the default mapping reads these): the seed is a
  // portal with both layouts, so either HUBSPOT_PROPERTY_* setting works against it.
  if (p.totalRevenue) props.total_revenue = p.totalRevenue;
  if (p.lastPurchaseDaysAgo !== undefined)
    props.recent_deal_close_date = `${clock.date(p.lastPurchaseDaysAgo)}T00:00:00.000Z`;
  if (p.customerSinceDaysAgo !== undefined)
    props.hs_lifecyclestage_customer_date = `${clock.date(p.customerSinceDaysAgo)}T00:00:00.000Z`;
  const associations = p.company ? [{ toType: 'companies' as const, toId: p.company.id, typeIds: [1, 279] }] : [];
  return createRecord(state, 'contacts', props, associations, clock.at(rng.int(0, 60)));
}

export function randomPerson(rng: Random, companies: CrmRecord[], usedEmails: Set<string>): PersonSpec {
  const firstName = rng.pick(FIRST_NAMES);
  const lastName = rng.pick(LAST_NAMES);
  const company = rng.chance(0.06) ? null : rng.pick(companies);
  const domain = company?.properties.domain ?? 'mail.example';
  const local = `${slug(firstName)}.${slug(lastName)}`.replace(/-/g, '');
  let email = `${local}@${domain}`;
  for (let k = 2; usedEmails.has(email); k++) email = `${local}${k}@${domain}`;
  usedEmails.add(email);
  const lifecycleStage = rng.weighted([
    ['customer', 45],
    ['opportunity', 14],
    ['salesqualifiedlead', 9],
    ['marketingqualifiedlead', 10],
    ['lead', 14],
    ['subscriber', 5],
    ['evangelist', 3],
  ] as const);
  const buyer = lifecycleStage === 'customer' || lifecycleStage === 'evangelist';
  const preferredChannel = rng.weighted([
    ['email', 6],
    ['slack', 2],
    ['sms', 2],
  ] as const);
  const companyCountry = company?.properties.country;
  const sameCountry = LOCATIONS.map((l, i) => [l, i] as const).filter(([l]) => l.country === companyCountry);
  const location =
    sameCountry.length > 0 && rng.chance(0.85) ? rng.pick(sameCountry)[1] : rng.int(0, LOCATIONS.length - 1);
  const customerSince = buyer ? rng.int(60, 3200) : undefined;
  return {
    email,
    firstName,
    lastName,
    company,
    jobTitle: rng.pick(JOB_TITLES),
    ownerIndex: company ? DEMO_OWNERS.findIndex((o) => o.id === company.properties.hubspot_owner_id) : rng.int(0, 4),
    lifecycleStage,
    preferredChannel,
    timezone: LOCATIONS[location]!.timezone,
    location,
    emailOptOut: rng.chance(0.06),
    slackUserId: preferredChannel === 'slack' && rng.chance(0.3) ? `U0${rng.int(10_000_000, 99_999_999)}X` : undefined,
    mobile: preferredChannel === 'sms' ? LOCATIONS[location]!.phone(rng.int(0, 9999)) : undefined,
    customerSinceDaysAgo: customerSince,
    lastPurchaseDaysAgo: customerSince === undefined ? undefined : rng.int(1, Math.min(customerSince, 720)),
    totalRevenue: buyer ? (Math.round(10 ** (3 + rng.next() * 2.9) * 100) / 100).toFixed(2) : undefined,
  };
}
