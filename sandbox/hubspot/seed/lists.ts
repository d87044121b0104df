import type { CrmRecord, ListRecord, SandboxState } from '../state.js';
import type { Clock } from './clock.js';
import { DEMO_CONTACTS, DEMO_LISTS } from './demo.js';
import type { Random } from './prng.js';
import { EMEA_COUNTRIES } from './vocabulary.js';

/** Three MANUAL lists from samples (they overlap), three DYNAMIC lists defined by filters. */
export function seedLists(
  state: SandboxState,
  rng: Random,
  clock: Clock,
  demo: Map<string, CrmRecord>,
  generated: CrmRecord[],
  duplicates: [CrmRecord, CrmRecord][],
) {
  const listCreated = clock.at(500);
  const make = (key: keyof typeof DEMO_LISTS, extra: Partial<ListRecord>): ListRecord => ({
    listId: DEMO_LISTS[key].id,
    name: DEMO_LISTS[key].name,
    processingType: DEMO_LISTS[key].processingType,
    objectTypeId: '0-1',
    listVersion: 1,
    createdAt: listCreated,
    updatedAt: clock.at(rng.int(1, 30)),
    members: [],
    ...extra,
  });
  const member = (r: CrmRecord) => ({ recordId: r.id, membershipTimestamp: clock.at(rng.int(1, 480)) });
  const manual = (key: 'keyAccounts' | 'newsletter' | 'q4CheckIn', extra: CrmRecord[]) => {
    const demoMembers = Object.entries(DEMO_CONTACTS)
      .filter(([, c]) => (c.manualLists as readonly string[]).includes(key))
      .map(([name]) => demo.get(name)!);
    return make(key, { members: [...demoMembers, ...extra].map(member) });
  };
  const customers = generated.filter((c) => c.properties.lifecyclestage === 'customer');
  const bigCustomers = customers.filter((c) => Number(c.properties.rapport_total_revenue) >= 100_000);
  state.lists = [
    manual('keyAccounts', rng.sample(bigCustomers, 37)),
    make('allCustomers', {
      filterGroups: [{ filters: [{ propertyName: 'lifecyclestage', operator: 'EQ', value: 'customer' }] }],
    }),
    manual('newsletter', [...rng.sample(generated, 190), ...duplicates.map(([original]) => original)]),
    manual('q4CheckIn', [...rng.sample(customers, 110), ...duplicates.map(([, copy]) => copy)]),
    make('lapsedBuyers', {
      filterGroups: [
        {
          filters: [
            { propertyName: 'lifecyclestage', operator: 'EQ', value: 'customer' },
            { propertyName: 'rapport_last_purchase_date', operator: 'LT', value: 'now-180d' },
          ],
        },
      ],
    }),
    make('emea', {
      filterGroups: [
        { filters: [{ propertyName: 'country', operator: 'IN', values: EMEA_COUNTRIES.map((c) => c.toLowerCase()) }] },
      ],
    }),
  ];
  // A record can be picked twice by the samples above; lists hold each record once.
  for (const list of state.lists) {
    const seen = new Set<string>();
    list.members = list.members.filter((m) => !seen.has(m.recordId) && seen.add(m.recordId));
  }
}
