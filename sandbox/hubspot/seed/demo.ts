/**
 * Fixed records the seed always creates first, so tests and demos can name them.
 * Ids follow from creation order and are stable (see sandbox/hubspot/README.md).
 */
import type { Channel } from '../../../domain/vocabulary/index.js';

export const DEMO_OWNERS = [
  {
    id: '61000001',
    userId: 7100001,
    firstName: 'Alice',
    lastName: 'Moreau',
    email: 'alice.moreau@rapport-demo.example',
  },
  { id: '61000002', userId: 7100002, firstName: 'Ben', lastName: 'Okafor', email: 'ben.okafor@rapport-demo.example' },
  { id: '61000003', userId: 7100003, firstName: 'Chloe', lastName: 'Park', email: 'chloe.park@rapport-demo.example' },
  {
    id: '61000004',
    userId: 7100004,
    firstName: 'Diego',
    lastName: 'Alvarez',
    email: 'diego.alvarez@rapport-demo.example',
  },
  {
    id: '61000005',
    userId: 7100005,
    firstName: 'Emma',
    lastName: 'Lindqvist',
    email: 'emma.lindqvist@rapport-demo.example',
  },
] as const;

export const DEMO_COMPANIES = {
  acme: { id: '5001', name: 'Acme Logistics', domain: 'acme-logistics.example' },
  brightwave: { id: '5002', name: 'Brightwave Media', domain: 'brightwave-media.example' },
  harbor: { id: '5003', name: 'Harbor Foods', domain: 'harbor-foods.example' },
  northpeak: { id: '5004', name: 'Northpeak Analytics', domain: 'northpeak-analytics.example' },
  cedar: { id: '5005', name: 'Cedar Health Partners', domain: 'cedar-health.example' },
  summit: { id: '5006', name: 'Summit Capital Advisors', domain: 'summit-capital.example' },
} as const;

export const DEMO_LISTS = {
  keyAccounts: { id: '1', name: 'Key accounts', processingType: 'MANUAL' },
  allCustomers: { id: '2', name: 'All customers', processingType: 'DYNAMIC' },
  newsletter: { id: '3', name: 'Newsletter subscribers', processingType: 'MANUAL' },
  q4CheckIn: { id: '4', name: 'Q4 check-in', processingType: 'MANUAL' },
  lapsedBuyers: { id: '5', name: 'Lapsed buyers (no purchase in 180 days)', processingType: 'DYNAMIC' },
  emea: { id: '6', name: 'EMEA contacts', processingType: 'DYNAMIC' },
} as const;

type ListKey = keyof typeof DEMO_LISTS;
type CompanyKey = keyof typeof DEMO_COMPANIES;

export interface DemoContact {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  company: CompanyKey | null;
  jobTitle: string;
  ownerIndex: number;
  lifecycleStage: string;
  preferredChannel: Channel;
  timezone: string;
  location: number;
  emailOptOut: boolean;
  slackUserId?: string;
  mobile?: string;
  /** Days before seeding; undefined means never bought. */
  lastPurchaseDaysAgo?: number;
  customerSinceDaysAgo?: number;
  totalRevenue?: string;
  /** MANUAL lists the contact is put on (DYNAMIC membership follows from properties). */
  manualLists: ListKey[];
  /** What tests may rely on, in words. */
  note: string;
}

export const DEMO_CONTACTS = {
  joe: {
    id: '101',
    email: 'joe.smith@acme-logistics.example',
    firstName: 'Joe',
    lastName: 'Smith',
    company: 'acme',
    jobTitle: 'VP Operations',
    ownerIndex: 0,
    lifecycleStage: 'customer',
    preferredChannel: 'email',
    timezone: 'america_slash_new_york',
    location: 0,
    emailOptOut: false,
    lastPurchaseDaysAgo: 12,
    customerSinceDaysAgo: 2200,
    totalRevenue: '250000.00',
    manualLists: ['keyAccounts', 'q4CheckIn'],
    note: 'Gold key account (250,000) with a timeline (3 notes, 1 call, 1 meeting, 1 email) and an open task; owner Alice.',
  },
  maria: {
    id: '102',
    email: 'maria.garcia@brightwave-media.example',
    firstName: 'Maria',
    lastName: 'Garcia',
    company: 'brightwave',
    jobTitle: 'Head of Partnerships',
    ownerIndex: 1,
    lifecycleStage: 'customer',
    preferredChannel: 'slack',
    slackUserId: 'U04MGARCIA1',
    timezone: 'europe_slash_london',
    location: 8,
    emailOptOut: false,
    lastPurchaseDaysAgo: 40,
    customerSinceDaysAgo: 900,
    totalRevenue: '86500.50',
    manualLists: ['keyAccounts', 'newsletter'],
    note: 'Prefers Slack (has a Slack user id); in London, so on the EMEA list.',
  },
  liam: {
    id: '103',
    email: 'liam.obrien@harbor-foods.example',
    firstName: 'Liam',
    lastName: "O'Brien",
    company: 'harbor',
    jobTitle: 'Purchasing Manager',
    ownerIndex: 0,
    lifecycleStage: 'customer',
    preferredChannel: 'sms',
    mobile: '+1 617 555 0188',
    timezone: 'america_slash_new_york',
    location: 1,
    emailOptOut: false,
    lastPurchaseDaysAgo: 240,
    customerSinceDaysAgo: 1500,
    totalRevenue: '31200.00',
    manualLists: [],
    note: 'Prefers SMS (mobile set); last purchase 240 days ago, so a lapsed buyer.',
  },
  olivia: {
    id: '104',
    email: 'olivia.chen@northpeak-analytics.example',
    firstName: 'Olivia',
    lastName: 'Chen',
    company: 'northpeak',
    jobTitle: 'CTO',
    ownerIndex: 2,
    lifecycleStage: 'opportunity',
    preferredChannel: 'email',
    timezone: 'europe_slash_berlin',
    location: 12,
    emailOptOut: true,
    manualLists: ['newsletter'],
    note: 'Opted out of email (hs_email_optout=true) yet still on the Newsletter list.',
  },
  dave: {
    id: '105',
    email: 'dave.kowalski@acme-logistics',
    firstName: 'Dave',
    lastName: 'Kowalski',
    company: 'acme',
    jobTitle: 'Operations Manager',
    ownerIndex: 0,
    lifecycleStage: 'customer',
    preferredChannel: 'email',
    timezone: 'america_slash_new_york',
    location: 0,
    emailOptOut: false,
    lastPurchaseDaysAgo: 30,
    customerSinceDaysAgo: 700,
    totalRevenue: '12000.00',
    manualLists: ['q4CheckIn'],
    note: 'Invalid email (no top-level domain), imported before validation; on Q4 check-in.',
  },
  priya: {
    id: '106',
    email: 'priya.patel@@cedar-health.example',
    firstName: 'Priya',
    lastName: 'Patel',
    company: 'cedar',
    jobTitle: 'Office Manager',
    ownerIndex: 3,
    lifecycleStage: 'lead',
    preferredChannel: 'email',
    timezone: 'america_slash_chicago',
    location: 2,
    emailOptOut: false,
    manualLists: ['newsletter'],
    note: 'Invalid email (double @); on the Newsletter list.',
  },
  sam: {
    id: '107',
    email: 'sam.taylor@summit-capital.example',
    firstName: 'Sam',
    lastName: 'Taylor',
    company: 'summit',
    jobTitle: 'CFO',
    ownerIndex: 4,
    lifecycleStage: 'customer',
    preferredChannel: 'email',
    timezone: 'america_slash_los_angeles',
    location: 5,
    emailOptOut: false,
    lastPurchaseDaysAgo: 75,
    customerSinceDaysAgo: 1200,
    totalRevenue: '142000.00',
    manualLists: ['newsletter'],
    note: 'Same person as samUpper (duplicate record, email differs only in case); on Newsletter.',
  },
  samUpper: {
    id: '108',
    email: 'Sam.Taylor@Summit-Capital.example',
    firstName: 'Sam',
    lastName: 'Taylor',
    company: 'summit',
    jobTitle: 'CFO',
    ownerIndex: 4,
    lifecycleStage: 'customer',
    preferredChannel: 'email',
    timezone: 'america_slash_los_angeles',
    location: 5,
    emailOptOut: false,
    lastPurchaseDaysAgo: 75,
    customerSinceDaysAgo: 1200,
    totalRevenue: '142000.00',
    manualLists: ['q4CheckIn'],
    note: 'Duplicate of sam with a differently-cased email; on Q4 check-in. Email look-ups find sam (older id).',
  },
  noah: {
    id: '109',
    email: 'noah.wilson@mail.example',
    firstName: 'Noah',
    lastName: 'Wilson',
    company: null,
    jobTitle: 'Founder',
    ownerIndex: 1,
    lifecycleStage: 'subscriber',
    preferredChannel: 'email',
    timezone: 'europe_slash_dublin',
    location: 10,
    emailOptOut: false,
    manualLists: ['newsletter'],
    note: 'No company association; never bought.',
  },
  aisha: {
    id: '110',
    email: 'aisha.bello@northpeak-analytics.example',
    firstName: 'Aisha',
    lastName: 'Bello',
    company: 'northpeak',
    jobTitle: 'Head of Procurement',
    ownerIndex: 2,
    lifecycleStage: 'customer',
    preferredChannel: 'slack',
    slackUserId: 'U04ABELLO22',
    timezone: 'europe_slash_berlin',
    location: 12,
    emailOptOut: false,
    lastPurchaseDaysAgo: 5,
    customerSinceDaysAgo: 400,
    totalRevenue: '640000.00',
    manualLists: ['keyAccounts', 'q4CheckIn'],
    note: 'Platinum revenue (640,000), prefers Slack (has a Slack user id), EMEA.',
  },
} as const satisfies Record<string, DemoContact>;
