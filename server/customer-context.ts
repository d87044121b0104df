import type { ContactDirectory } from '../crm/contact-directory.js';
import type { CrmEngagement, CrmOwner, CrmPort } from '../crm/port.js';
import { DomainError } from '../domain/errors.js';
import { factsFrom, nextBestAction, type NextBestActionRules } from '../domain/next-best-action.js';
import { answerProperty, nextQuestions, type Question } from '../domain/questions.js';
import { computeSegments } from '../domain/segments.js';
import type { TouchStore } from '../store/touches.js';
import { NEXT_BEST_ACTION_RULES } from './next-best-action-rules.js';

export interface CustomerContextDeps {
  crm: CrmPort;
  contacts: ContactDirectory;
  touches: TouchStore;
  questions: Question[];
  /** Default: config/next-best-action.json. */
  nextBestActionRules?: NextBestActionRules;
  now?: () => Date;
}

export interface TimelineEntry {
  id: string;
  kind: string;
  at: string;
  title: string | null;
  body: string;
  /** crm: on the CRM timeline; rapport: logged, still on its way to the CRM. */
  source: 'crm' | 'rapport';
  status: 'synced' | 'pending' | 'failed';
}

const CONTACT_FIELDS = ['phone', 'jobtitle', 'hs_timezone', 'rapport_preferred_channel', 'hs_email_optout'] as const;

/** Everything a rep needs about one customer, fetched in parallel. */
export function createCustomerContext(deps: CustomerContextDeps) {
  let owners: { at: number; list: Promise<CrmOwner[]> } | undefined;
  const ownerList = () => {
    // Owners change rarely; one list call serves every context for five minutes.
    if (!owners || Date.now() - owners.at > 300_000) {
      owners = { at: Date.now(), list: deps.crm.listOwners() };
      owners.list.catch(() => (owners = undefined));
    }
    return owners.list;
  };

  return async function customerContext(email: string) {
    const contact = await deps.contacts.byEmail(email);
    if (!contact) throw new DomainError('NOT_FOUND', 'no CRM contact with this email', 'email');

    const [ownerRows, company, engagements, unsynced] = await Promise.all([
      contact.ownerId ? ownerList() : Promise.resolve([]),
      contact.companyId ? deps.crm.getCompany(contact.companyId) : Promise.resolve(null),
      deps.crm.listContactEngagements(contact.id, 50),
      deps.touches.listUnsyncedForContact(contact.id, contact.email),
    ]);
    const owner = ownerRows.find((o) => o.id === contact.ownerId) ?? null;
    const now = deps.now?.() ?? new Date();

    const timeline: TimelineEntry[] = [
      ...engagements.map((e: CrmEngagement) => ({
        id: e.id,
        kind: e.kind,
        at: e.timestamp,
        title: e.title,
        body: e.body,
        source: 'crm' as const,
        status: 'synced' as const,
      })),
      ...unsynced.map((t) => ({
        id: t.id,
        kind: t.channel,
        at: t.occurredAt,
        title: null,
        body: t.summary,
        source: 'rapport' as const,
        status: t.status,
      })),
    ].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));

    const segments = computeSegments(contact.properties, now, contact.createdAt);
    const questions = nextQuestions(deps.questions, contact.properties);
    const facts = factsFrom({
      firstName: contact.firstName,
      companyName: company?.name ?? null,
      properties: contact.properties,
      segments,
      touchTimes: timeline.map((e) => e.at),
      unansweredQuestions: deps.questions.filter((q) => !contact.properties[answerProperty(q.id)]?.trim()).length,
      now,
    });

    return {
      contact: {
        id: contact.id,
        email: contact.email,
        firstName: contact.firstName,
        lastName: contact.lastName,
        ...Object.fromEntries(CONTACT_FIELDS.map((f) => [f, contact.properties[f] ?? null])),
      },
      owner: owner && { id: owner.id, email: owner.email, firstName: owner.firstName, lastName: owner.lastName },
      company: company && { id: company.id, name: company.name, domain: company.domain },
      segments,
      timeline,
      nextQuestions: questions,
      /** What to do next and why, in words the rep can say to the customer (null: no rule matched). */
      nextBestAction: nextBestAction(deps.nextBestActionRules ?? NEXT_BEST_ACTION_RULES, facts),
    };
  };
}

export type CustomerContext = ReturnType<typeof createCustomerContext>;
