/**
 * The pane's wire types: what it sends to and receives from /api/addin/* and /addin/config.json.
 * The one place they live in the add-in, copied by hand from the server for now; once the
 * contracts module exists they become `import type` from it (erased from the bundle, which
 * stays free of server code).
 */
export interface AddinClientConfig {
  auth: 'entra' | 'dev' | 'none';
  clientId: string | null;
  tenantId: string | null;
  scopes: string[];
  internalDomains: string[];
  devUser: string | null;
}

export interface Person {
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
}

export interface CustomerContextView {
  contact: Person & {
    phone?: string | null;
    jobtitle?: string | null;
    hs_timezone?: string | null;
    rapport_preferred_channel?: string | null;
    hs_email_optout?: string | null;
  };
  owner: Person | null;
  company: { id: string; name: string | null; domain: string | null } | null;
  segments: {
    valueTier: { tier: string; totalRevenue: number | null; reason: string };
    lastPurchase: { date: string | null; daysAgo: number | null; recency: string };
    relationship: { since: string | null; months: number | null; label: string };
    lifecycleStage: string | null;
  };
  timeline: {
    id: string;
    kind: string;
    at: string;
    title: string | null;
    body: string;
    source: 'crm' | 'rapport';
    status: 'synced' | 'pending' | 'failed';
  }[];
  nextQuestions: { id: string; text: string; kind: 'text' | 'choice'; choices?: string[] }[];
  nextBestAction: { ruleId: string; action: string; reason: string } | null;
  /** Open follow-up tasks, when the server provides them. */
  followUps?: { id: string; subject: string; dueAt: string | null; body?: string; priority?: string | null }[];
}

export interface LogTouchInput {
  contactEmail: string;
  summary: string;
  channel?: 'email' | 'call' | 'meeting' | 'chat' | 'visit' | 'other';
  occurredAt?: string;
  answers?: Record<string, string>;
  messageId?: string;
}

export interface LoggedTouch {
  id: string;
  status: 'pending' | 'synced' | 'failed';
  duplicate?: boolean;
  engagement: { id: string; kind: string } | null;
}

export type DecisionKind = 'approve' | 'reject' | 'request_changes';

/** The audience an approver sees before saying yes (the broadcast engine's summary). */
export interface ApprovalAudience {
  lists: { id: string; name: string; memberships: number }[];
  totalMemberships: number;
  uniqueContacts: number;
  /** Memberships folded into another recipient (same contact or same email on several lists). */
  duplicates: number;
  deliveries: number;
  channelMix: Record<string, number>;
  suppressedByReason: Record<string, number>;
  delayedByQuietHours: number;
}

/** GET /api/addin/alerts/:id */
export interface ApprovalAlertView {
  id: string;
  status: string;
  version: number;
  title: string;
  /** Plain text of the alert body. */
  preview: string;
  topic: string;
  requester: string;
  channels: string[];
  approverGroup: string;
  /** Null while the audience is still being resolved. */
  audience: ApprovalAudience | null;
  /** Who decided, once someone has. */
  decision: { decision: DecisionKind; by: string; reason: string | null; at: string } | null;
  createdAt: string;
  you: { email: string; role: 'requester' | 'approver' | null; canDecide: boolean };
}

export interface DecisionInput {
  decision: DecisionKind;
  reason?: string;
  /** The version the approver saw. */
  version?: number;
}

/** POST /api/addin/alerts/:id/decision */
export interface DecisionOutcome {
  result: { decision: DecisionKind; version: number; approver: string };
  alert: ApprovalAlertView;
}
