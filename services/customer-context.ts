import type { ContactDirectory } from '../crm/contact-directory.js';
import { CrmError, type CrmEngagement, type CrmOwner, type CrmPort } from '../crm/port.js';
import { createCompanyLookup, type CompanyLookup } from './companies/company-read-model.js';
import { DomainError } from '../domain/errors.js';
import { assertMayComplete, completedBody, type FollowUpActor } from '../domain/follow-up.js';
import { factsFrom, nextBestAction, type NextBestActionRules } from '../domain/next-best-action.js';
import { answerProperty, nextQuestions, type Question } from '../domain/questions.js';
import { computeSegments } from '../domain/segments.js';
import { isTrue } from '../domain/audience/addresses.js';
import { AUDIENCE_PROPERTIES } from '../domain/audience/types.js';
import { readPreferences, summarizePreferences } from '../domain/preferences.js';
import { PREFERENCES_PROPERTY } from './preferences.js';
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
  /** How long owners (and companies, without a read model) read from the CRM are trusted (default 5 minutes). */
  directoryTtlMs?: number;
  /** Companies by id: the company read model (services/companies/); default the CRM, cached directoryTtlMs. */
  companies?: CompanyLookup;
  /** The topic catalogue, for the preference lines' topic names; unset: topic ids. */
  topics?: { list(): Promise<{ id: string; name: string }[]> };
}

/**
 * The customer's own terms from the preference centre, one line each, as HubSpot holds them
 * (rapport_preferences, rapport_unsubscribed_all): the rep sees what the customer asked for.
 */
function preferenceLines(
  properties: Record<string, string | null>,
  topicNames: Readonly<Record<string, string>>,
): string[] {
  const prefs = readPreferences(properties[PREFERENCES_PROPERTY] ?? null);
  return summarizePreferences(
    { ...prefs, unsubscribedAll: prefs.unsubscribedAll || isTrue(properties[AUDIENCE_PROPERTIES.unsubscribedAll]) },
    topicNames,
  );
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

/**
 * How long after its touch synced an answer is still laid over the CRM's contact: longer than any
 * cache of the contact (the directory keeps one 60 s), so the question never comes back meanwhile.
 */
const ANSWER_OVERLAY_MS = 5 * 60_000;

/** Open follow-ups shown with a customer; the CRM's soonest-due first. */
const FOLLOW_UPS = 20;
/** HubSpot's limit for a text property (the task's body). */
const MAX_TASK_BODY = 65_536;

export interface FollowUp {
  id: string;
  subject: string;
  body: string;
  dueAt: string | null;
  priority: string | null;
  ownerId: string | null;
}

/**
 * Everything a rep needs about one customer, fetched in parallel. Owners and companies change
 * rarely and are shared by many customers: owners are cached for `directoryTtlMs` (a rename in the
 * CRM shows within that bound; concurrent look-ups share one call), companies come from the
 * company read model (kept in step with the CRM every CONTACT_SYNC_INTERVAL_SECONDS). The contact,
 * its timeline and its follow-ups are read fresh each time (the contact through the directory's
 * short cache).
 */
export function createCustomerContext(deps: CustomerContextDeps) {
  const ttl = deps.directoryTtlMs ?? 300_000;

  let owners: { at: number; list: Promise<CrmOwner[]> } | undefined;
  const ownerList = () => {
    // One list call serves every context within the freshness bound.
    if (!owners || Date.now() - owners.at > ttl) {
      const entry = { at: Date.now(), list: deps.crm.listOwners() };
      owners = entry;
      entry.list.catch(() => {
        if (owners === entry) owners = undefined;
      });
    }
    return owners.list;
  };

  const companyById = deps.companies ?? createCompanyLookup({ crm: deps.crm, cacheMs: ttl });

  async function customerContext(email: string) {
    const contact = await deps.contacts.byEmail(email);
    if (!contact) throw new DomainError('NOT_FOUND', 'no CRM contact with this email', 'email');

    const [ownerRows, company, engagements, tasks, unsynced, recentAnswers, topicList] = await Promise.all([
      contact.ownerId ? ownerList() : Promise.resolve([]),
      contact.companyId ? companyById(contact.companyId) : Promise.resolve(null),
      deps.crm.listContactEngagements(contact.id, 50),
      deps.crm.listOpenTasks(contact.id, FOLLOW_UPS),
      deps.touches.listUnsyncedForContact(contact.id, contact.email),
      deps.touches.recentAnswers(contact.id, contact.email, ANSWER_OVERLAY_MS),
      // The catalogue is a store read; a failure costs the names, never the context.
      deps.topics ? deps.topics.list().catch(() => []) : Promise.resolve([]),
    ]);
    // An answer given a moment ago counts as given, whether or not the CRM (or the directory's
    // cached copy of the contact, in this or another process) shows it yet.
    const properties = { ...contact.properties };
    for (const [questionId, answer] of Object.entries(recentAnswers)) {
      if (answer.trim()) properties[answerProperty(questionId)] = answer;
    }
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

    const segments = computeSegments(properties, now, contact.createdAt);
    const questions = nextQuestions(deps.questions, properties);
    const facts = factsFrom({
      firstName: contact.firstName,
      companyName: company?.name ?? null,
      properties,
      segments,
      touchTimes: timeline.map((e) => e.at),
      unansweredQuestions: deps.questions.filter((q) => !properties[answerProperty(q.id)]?.trim()).length,
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
      /** Open tasks on the CRM for this customer, soonest due first. */
      followUps: tasks.map((t): FollowUp => ({
        id: t.id,
        subject: t.subject,
        body: t.body,
        dueAt: t.dueAt,
        priority: t.priority,
        ownerId: t.ownerId,
      })),
      /** What the customer set in the preference centre, one line each; empty: nothing of their own. */
      preferences: preferenceLines(contact.properties, Object.fromEntries(topicList.map((t) => [t.id, t.name]))),
    };
  }

  /**
   * Marks a follow-up (CRM task) done as `actor`, and writes who did it on the task; done already is
   * fine (and written once). An unknown id is NOT_FOUND; a task Rapport did not create and the actor
   * does not own is FORBIDDEN (domain/follow-up.ts).
   */
  async function completeFollowUp(id: string, actor: FollowUpActor): Promise<void> {
    const notFound = () => new DomainError('NOT_FOUND', 'no follow-up with this id', 'id');
    const task = await deps.crm.getTask(id);
    if (!task) throw notFound();
    const owner = task.ownerId && !task.createdByRapport ? await deps.crm.getOwner(task.ownerId) : null;
    assertMayComplete({ createdByRapport: task.createdByRapport, ownerEmail: owner?.email ?? null }, actor);
    if (task.status === 'COMPLETED') return;
    const body = completedBody(task.body, actor, (deps.now ?? (() => new Date()))(), MAX_TASK_BODY);
    try {
      await deps.crm.completeTask(id, { body });
    } catch (error) {
      if (error instanceof CrmError && error.code === 'CRM_NOT_FOUND') throw notFound();
      throw error;
    }
  }

  return Object.assign(customerContext, { completeFollowUp });
}

export type CustomerContext = ReturnType<typeof createCustomerContext>;
