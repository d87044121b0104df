/**
 * The CRM port: everything Rapport needs from a CRM, in Rapport's own words.
 * HubSpot is the one adapter today (crm/hubspot/); workflows and routes only see this.
 */
import type { EmailSubscriptionStatus, SubscriptionTarget } from '../domain/audience/subscriptions.js';
import type { EmailParty } from '../domain/email-party.js';
import type { EngagementKind } from '../domain/vocabulary/index.js';

/** Part of the port's words: adapters know only the port, so they take it from here. */
export type { EngagementKind, EmailSubscriptionStatus, SubscriptionTarget };

export interface CrmContact {
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  ownerId: string | null;
  companyId: string | null;
  /** Raw CRM properties (strings, as HubSpot returns them). */
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
}

export interface CrmCompany {
  id: string;
  name: string | null;
  domain: string | null;
  properties: Record<string, string | null>;
  /** The CRM's last modification, ISO (the company read model's watermark follows it). */
  updatedAt: string;
}

export interface CrmOwner {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  userId: number | null;
}

export interface CrmEngagement {
  id: string;
  kind: EngagementKind;
  /** ISO time the engagement happened (hs_timestamp). */
  timestamp: string;
  /** Body text as stored in the CRM (note body, call body, email text, meeting body). */
  body: string;
  title: string | null;
  ownerId: string | null;
  /** Rapport's idempotency key, when Rapport wrote it. */
  idempotencyKey: string | null;
  properties: Record<string, string | null>;
}

export interface NewEngagement {
  kind: EngagementKind;
  /** Stored on the record (property rapport_idempotency_key): a retry never creates a second one. */
  idempotencyKey: string;
  contactId: string;
  companyId?: string | null;
  ownerId?: string | null;
  timestamp: string;
  title?: string | null;
  body: string;
  /** Extra CRM properties (e.g. hs_call_direction). */
  properties?: Record<string, string>;
  /** An email's sender and recipients, so the timeline shows who wrote to whom (email kind only). */
  emailHeaders?: EmailHeaders;
  /**
   * The caller knows no earlier attempt can have written this key (first attempt of the
   * only writer). The adapter's idempotency ledger knows every key it ever sent; a key it has
   * never seen and that is not a first attempt (written before the ledger existed) is looked up.
   */
  firstAttempt?: boolean;
}

export type { EmailParty };

export interface EmailHeaders {
  from: EmailParty;
  to: EmailParty[];
  cc?: EmailParty[];
  bcc?: EmailParty[];
}

export interface NewTask {
  idempotencyKey: string;
  ownerId: string;
  subject: string;
  body: string;
  dueAt: string;
  contactIds?: string[];
  priority?: 'LOW' | 'MEDIUM' | 'HIGH';
}

/** A task (to-do) on the CRM, as the follow-up list shows it. */
export interface CrmTask {
  id: string;
  subject: string;
  body: string;
  /** ISO due time (hs_timestamp); null when the CRM has none. */
  dueAt: string | null;
  ownerId: string | null;
  /** The CRM's status (HubSpot: NOT_STARTED, IN_PROGRESS, WAITING, DEFERRED, COMPLETED). */
  status: string;
  priority: string | null;
  /** Written by Rapport (it carries Rapport's idempotency key): anyone may complete it through Rapport. */
  createdByRapport: boolean;
}

export interface CrmList {
  id: string;
  name: string;
  size: number;
  processingType: string;
}

export interface Page<T> {
  results: T[];
  /** Cursor for the next page; absent on the last page. */
  after?: string;
}

export interface ContactSearch {
  /** Free text matched against name, email and company (CRM search). */
  query: string;
  limit?: number;
}

/** Codes every layer maps: routes to HTTP status, workflows to retry/non-retry. */
export type CrmErrorCode =
  'CRM_NOT_FOUND' | 'CRM_RATE_LIMITED' | 'CRM_UNAVAILABLE' | 'CRM_BAD_REQUEST' | 'CRM_AUTH' | 'CRM_CONFLICT';

export class CrmError extends Error {
  constructor(
    readonly code: CrmErrorCode,
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'CrmError';
  }

  /** Worth trying again later: rate limit, 5xx, network. */
  get retryable(): boolean {
    return this.code === 'CRM_RATE_LIMITED' || this.code === 'CRM_UNAVAILABLE';
  }
}

export interface CrmPort {
  findContactByEmail(email: string): Promise<CrmContact | null>;
  getContact(id: string): Promise<CrmContact | null>;
  /** Up to any number of ids; the adapter splits into batches of the CRM's batch size. */
  getContacts(ids: string[]): Promise<CrmContact[]>;
  /** Up to any number of emails; unknown emails are simply absent from the result. */
  findContactsByEmail(emails: string[]): Promise<CrmContact[]>;
  searchContacts(search: ContactSearch): Promise<CrmContact[]>;
  /**
   * One page of every contact, in the CRM's order (the contact read model's full load). Only the
   * read model's fields are filled in: email, names, company, owner, updatedAt.
   */
  listContacts(page?: { after?: string; limit?: number }): Promise<Page<CrmContact>>;
  /**
   * One page of the contacts modified at or after `since`, oldest change first, with how many
   * match in all (CRM search reaches 10,000 results at most: beyond that, load everything).
   * Same fields as listContacts.
   */
  listContactsModifiedSince(
    since: Date,
    page?: { after?: string; limit?: number },
  ): Promise<Page<CrmContact> & { total: number }>;
  getCompany(id: string): Promise<CrmCompany | null>;
  /** One page of every company, in the CRM's order (the company read model's full load). */
  listCompanies(page?: { after?: string; limit?: number }): Promise<Page<CrmCompany>>;
  /**
   * One page of the companies modified at or after `since`, oldest change first, with how many
   * match in all (as listContactsModifiedSince: beyond 10,000, load everything).
   */
  listCompaniesModifiedSince(
    since: Date,
    page?: { after?: string; limit?: number },
  ): Promise<Page<CrmCompany> & { total: number }>;
  updateContactProperties(id: string, properties: Record<string, string>): Promise<void>;
  updateContactsProperties(updates: { id: string; properties: Record<string, string> }[]): Promise<void>;

  /** Creates the engagement unless one with the same idempotency key exists; returns its id either way. */
  createEngagement(engagement: NewEngagement): Promise<{ id: string; created: boolean }>;
  /** Batch variant: result order matches input; existing keys are not created again. */
  createEngagements(engagements: NewEngagement[]): Promise<{ id: string; created: boolean }[]>;
  /** Looks engagements up by Rapport idempotency key (all kinds). */
  findEngagementsByKeys(kind: EngagementKind, keys: string[]): Promise<Map<string, string>>;
  /** Engagements on the contact's timeline, newest first. */
  listContactEngagements(contactId: string, limit?: number): Promise<CrmEngagement[]>;

  createTask(task: NewTask): Promise<{ id: string; created: boolean }>;
  createTasks(tasks: NewTask[]): Promise<{ id: string; created: boolean }[]>;
  /** The contact's tasks that are not completed, soonest due first (no due date last). */
  listOpenTasks(contactId: string, limit?: number): Promise<CrmTask[]>;
  /** One task by id; null when there is none (or the id cannot be one). */
  getTask(id: string): Promise<CrmTask | null>;
  /**
   * Marks the task completed, and sets its body to `changes.body` when given (who completed it);
   * completing a completed task is fine. Unknown id: CrmError CRM_NOT_FOUND.
   */
  completeTask(id: string, changes?: { body?: string }): Promise<void>;

  listOwners(): Promise<CrmOwner[]>;
  getOwner(id: string): Promise<CrmOwner | null>;

  listLists(): Promise<CrmList[]>;
  getListMemberships(listId: string, after?: string, limit?: number): Promise<Page<string>>;

  /**
   * The CRM's email subscription preferences of each address (any number; the adapter batches).
   * Keys are the addresses lower-cased; an address the CRM cannot answer for is absent.
   */
  getEmailSubscriptionStatuses(emails: string[]): Promise<Map<string, EmailSubscriptionStatus>>;
  /** Unsubscribes the address from one subscription type, or from all email; doing it twice is fine. */
  unsubscribeEmail(email: string, target: SubscriptionTarget): Promise<void>;
  /** Subscribes the address to one subscription type (the preference centre turning a topic on); twice is fine. */
  subscribeEmail(email: string, subscriptionId: string): Promise<void>;

  /** Creates Rapport's custom properties (idempotency key, question answers) when missing. */
  ensureSchema(
    propertyNames: {
      objectType: 'contacts' | 'notes' | 'calls' | 'emails' | 'meetings' | 'tasks';
      name: string;
      label: string;
    }[],
  ): Promise<void>;

  /** Cheap call for /readyz. */
  ping(): Promise<void>;
}
