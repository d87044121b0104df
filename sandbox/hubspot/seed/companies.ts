import { createRecord } from '../records.js';
import type { CrmRecord, SandboxState } from '../state.js';
import type { Clock } from './clock.js';
import { slug } from './clock.js';
import { DEMO_COMPANIES, DEMO_OWNERS } from './demo.js';
import type { Random } from './prng.js';
import { COMPANY_PREFIXES, INDUSTRY_SUFFIXES, LOCATIONS } from './vocabulary.js';

export const COMPANY_COUNT = 60;

export function seedCompanies(state: SandboxState, rng: Random, clock: Clock): CrmRecord[] {
  const industries = Object.keys(INDUSTRY_SUFFIXES);
  const fixed: [string, string, number][] = [
    [DEMO_COMPANIES.acme.name, 'LOGISTICS_AND_SUPPLY_CHAIN', 0],
    [DEMO_COMPANIES.brightwave.name, 'MARKETING_AND_ADVERTISING', 8],
    [DEMO_COMPANIES.harbor.name, 'FOOD_PRODUCTION', 1],
    [DEMO_COMPANIES.northpeak.name, 'COMPUTER_SOFTWARE', 12],
    [DEMO_COMPANIES.cedar.name, 'HOSPITAL_HEALTH_CARE', 2],
    [DEMO_COMPANIES.summit.name, 'FINANCIAL_SERVICES', 5],
  ];
  const companies: CrmRecord[] = [];
  for (let i = 0; i < COMPANY_COUNT; i++) {
    const industry = fixed[i]?.[1] ?? rng.pick(industries);
    const name = fixed[i]?.[0] ?? `${COMPANY_PREFIXES[i - fixed.length]} ${rng.pick(INDUSTRY_SUFFIXES[industry]!)}`;
    const location = LOCATIONS[fixed[i]?.[2] ?? rng.int(0, LOCATIONS.length - 1)]!;
    const domain = Object.values(DEMO_COMPANIES).find((c) => c.name === name)?.domain ?? `${slug(name)}.example`;
    const props: Record<string, string> = {
      name,
      domain,
      website: `https://www.${domain}`,
      industry,
      city: location.city,
      country: location.country,
      phone: location.phone(100 + i),
      annualrevenue: String(Math.round(10 ** (5.7 + rng.next() * 3)) * 10),
      numberofemployees: String(Math.round(10 ** (1 + rng.next() * 2.7))),
      lifecyclestage: rng.weighted([
        ['customer', 7],
        ['opportunity', 2],
        ['lead', 1],
      ] as const),
      hubspot_owner_id: DEMO_OWNERS[i % DEMO_OWNERS.length]!.id,
      description: `${name} (${location.city}).`,
      createdate: clock.at(rng.int(400, 2900)),
    };
    if (location.state) props.state = location.state;
    companies.push(createRecord(state, 'companies', props, [], clock.at(rng.int(1, 300))));
  }
  return companies;
}
