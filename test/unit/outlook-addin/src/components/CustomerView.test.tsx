import { describe, expect, it } from 'vitest';
import { CustomerView, type CustomerOperations } from '../../../../../outlook-addin/src/components/CustomerView.js';
import type { CustomerContextView } from '../../../../../outlook-addin/src/types.js';
import { render, text } from '../../markup.js';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const context = (over: Partial<CustomerContextView> = {}): CustomerContextView => ({
  contact: {
    id: '101',
    email: 'joe.smith@acme-logistics.example',
    firstName: 'Joe',
    lastName: 'Smith',
    jobtitle: 'VP Operations',
  },
  owner: { id: '61000001', email: 'alice@rapport-demo.example', firstName: 'Alice', lastName: 'Moreau' },
  company: { id: '5001', name: 'Acme Logistics', domain: 'acme-logistics.example' },
  segments: {
    valueTier: { tier: 'gold', totalRevenue: 250000, reason: 'lifetime revenue 250,000 >= 100,000' },
    lastPurchase: { date: '2026-11-12T00:00:00.000Z', daysAgo: 12, recency: 'recent' },
    relationship: { since: '2020-11-01T00:00:00.000Z', months: 72, label: '6 years' },
    lifecycleStage: 'customer',
  },
  timeline: [
    {
      id: '1',
      kind: 'call',
      at: '2026-11-20T10:00:00Z',
      title: 'Check-in call',
      body: 'New site in spring',
      source: 'crm',
      status: 'synced',
    },
    {
      id: 'tch_x',
      kind: 'email',
      at: '2026-11-24T09:00:00Z',
      title: null,
      body: 'Logged from Outlook',
      source: 'rapport',
      status: 'pending',
    },
  ],
  nextQuestions: [
    {
      id: 'decision_maker',
      text: 'Who else takes part in buying decisions on your side?',
      priority: 1,
      kind: 'text',
    },
    {
      id: 'preferred_contact_time',
      text: 'When is the best time of day to reach you?',
      priority: 2,
      kind: 'choice',
      choices: ['Morning', 'Evening'],
    },
  ],
  nextBestAction: {
    ruleId: 'r',
    action: 'Check that the last order met expectations',
    reason: 'You ordered 12 days ago.',
  },
  followUps: [],
  ...over,
});
const ops: CustomerOperations = { logTouch: () => Promise.reject(new Error('not in this test')) };

describe('CustomerView', () => {
  it('shows profile, owner, segments, next best action with its reason, questions and timeline', () => {
    const out = text(render(<CustomerView context={context()} operations={ops} subject="Renewal" now={NOW} />));
    for (const expected of [
      'Joe Smith',
      'VP Operations · Acme Logistics',
      'Account owner: Alice Moreau',
      'Gold · $250,000',
      'Bought 12 days ago',
      'Customer for 6 years',
      'Check that the last order met expectations',
      'You ordered 12 days ago.',
      'Who else takes part in buying decisions',
      'Morning',
      'Check-in call',
      '4 days ago',
      'on its way',
      'Log this email as a touch',
    ]) {
      expect(out).toContain(expected);
    }
  });

  it('shows the customer’s own preferences when they set any, as text', () => {
    const out = render(
      <CustomerView
        context={context({ preferences: ['Rates: off', 'Quiet hours: 22:00-07:00', '<b>x</b>'] })}
        operations={ops}
        now={NOW}
      />,
    );
    expect(text(out)).toContain('Their preferences');
    expect(text(out)).toContain('Rates: off');
    expect(text(out)).toContain('Quiet hours: 22:00-07:00');
    expect(out).not.toContain('<b>x</b>');
    expect(text(render(<CustomerView context={context()} operations={ops} now={NOW} />))).not.toContain(
      'Their preferences',
    );
  });

  it('renders script and markup from CRM fields as text', () => {
    const evil = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    const html = render(
      <CustomerView
        context={context({
          contact: { id: '1', email: 'a@b.example', firstName: evil, lastName: null, jobtitle: evil },
          company: { id: '2', name: evil, domain: null },
          timeline: [{ id: '9', kind: evil, at: 'x', title: evil, body: evil, source: 'crm', status: 'synced' }],
          nextBestAction: { ruleId: 'r', action: evil, reason: evil },
        })}
        operations={ops}
      />,
    );
    expect(html).not.toMatch(/<script>|<img /);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('offers "mark done" on follow-ups only when the operation is given', () => {
    const withFollowUps = context({
      followUps: [
        { id: 't1', subject: 'Send the quote', body: '', dueAt: '2026-11-25T00:00:00Z', priority: null, ownerId: null },
      ],
    });
    expect(text(render(<CustomerView context={withFollowUps} operations={ops} />))).not.toContain('Mark done');
    const out = text(
      render(<CustomerView context={withFollowUps} operations={{ ...ops, completeFollowUp: async () => {} }} />),
    );
    expect(out).toContain('Send the quote');
    expect(out).toContain('Mark done');
    expect(text(render(<CustomerView context={context()} operations={ops} />))).toContain(
      'Open follow-ups Nothing open.',
    );
  });

  it('leaves out what the CRM does not know', () => {
    const out = text(
      render(
        <CustomerView
          context={context({ owner: null, company: null, nextBestAction: null, nextQuestions: [], timeline: [] })}
          operations={ops}
        />,
      ),
    );
    expect(out).not.toContain('Account owner');
    expect(out).not.toContain('Next best action');
    expect(out).toContain('No touches yet.');
  });
});
