import { randomBytes } from 'node:crypto';

export interface SlackStandInUser {
  id: string;
  name: string;
  email?: string;
  realName?: string;
}

/** A Web API call as the stand-in answered it (the token left out). */
export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  response: Record<string, unknown>;
  at: number;
}

/** A post to a response_url and the status it was answered with. */
export interface RecordedResponse {
  id: string;
  body: Record<string, unknown>;
  status: number;
  at: number;
}

/** An open modal (with the stack it belongs to) or a user's published Home tab. */
export interface StoredView {
  id: string;
  hash: string;
  view: Record<string, unknown>;
  userId?: string;
  stack: string[];
}

export interface SlackStateOptions {
  teamId?: string;
  /** How long a trigger_id stays valid (Slack: about 3 s). */
  triggerTtlMs?: number;
  users?: SlackStandInUser[];
  /** Channels the bot is not in: chat.postEphemeral / postMessage there answer channel_not_found. */
  channelsWithoutBot?: string[];
}

/** What the stand-in's workspace holds and records: every route reads and writes this. */
export function createSlackState(options: SlackStateOptions = {}) {
  const triggerTtl = options.triggerTtlMs ?? 3000;
  const triggers = new Map<string, { at: number; used: boolean }>();
  let seq = 0;
  return {
    teamId: options.teamId ?? 'T0RAPPORT',
    users: new Map((options.users ?? []).map((u) => [u.id, u])),
    channelsWithoutBot: new Set(options.channelsWithoutBot ?? []),
    /** Modals by view id; Home tabs by `home:<user id>`. */
    views: new Map<string, StoredView>(),
    calls: [] as RecordedCall[],
    responses: [] as RecordedResponse[],
    responseUrls: new Set<string>(),
    nextId: (prefix: string) => `${prefix}${(++seq).toString(36).toUpperCase().padStart(8, '0')}`,
    newHash: () => `${Math.floor(Date.now() / 1000)}.${randomBytes(6).toString('hex')}`,
    /** A message timestamp, unique within the stand-in. */
    ts: () => `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, '0')}`,
    /** A fresh trigger_id, valid for triggerTtlMs, exchangeable once. */
    issueTrigger(): string {
      const id = `${Date.now()}.${randomBytes(4).toString('hex')}.${randomBytes(8).toString('hex')}`;
      triggers.set(id, { at: Date.now(), used: false });
      return id;
    },
    /** Exchanges a trigger_id; the Slack error when it cannot be. */
    useTrigger(triggerId: unknown): string | undefined {
      if (typeof triggerId !== 'string' || !triggerId) return 'invalid_arguments';
      const t = triggers.get(triggerId);
      if (!t) return 'invalid_trigger_id';
      if (Date.now() - t.at > triggerTtl) return 'expired_trigger_id';
      if (t.used) return 'exchanged_trigger_id';
      t.used = true;
      return undefined;
    },
  };
}

export type SlackState = ReturnType<typeof createSlackState>;
