import { topicSchema, type TopicDefinition } from '../../domain/topics.js';

/**
 * The demo's topic catalogue, seeded at start unless TOPICS_SEED=none (the default in production):
 * only missing topics are added, so an admin's edits and archives stay. The ids are the ones the
 * demo data, the tests and the benches name (rates, products, ...).
 */
export const DEMO_TOPICS: readonly TopicDefinition[] = [
  {
    id: 'rates',
    name: 'Rates',
    description: 'Changes to our deposit and lending rates, the day they are decided.',
    defaultChannels: ['email'],
    schedule: { kind: 'weekdays', time: '08:30' },
    urgentAllowed: true,
  },
  {
    id: 'products',
    name: 'Products',
    description: 'New products and changes to the ones you have.',
    defaultChannels: ['email'],
    schedule: { kind: 'weekly', day: 'mon', time: '07:00' },
    urgentAllowed: false,
  },
  {
    id: 'markets',
    name: 'Market updates',
    description: "Our analysts' notes on the day's markets.",
    defaultChannels: ['email', 'slack'],
    schedule: { kind: 'daily', time: '18:00' },
    urgentAllowed: false,
  },
  {
    id: 'service',
    name: 'Service notices',
    description: 'Outages and changes to online banking that affect you, as they happen.',
    defaultChannels: ['email', 'sms'],
    schedule: null,
    urgentAllowed: true,
  },
].map((t) => topicSchema.parse(t));
