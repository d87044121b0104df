import { normalizeAddress, type CaughtMessage, type Duplicate } from './caught-message.js';

export interface MessageStoreOptions {
  /** true keeps every raw message in memory, false none, a number the newest N. */
  keepBodies: boolean | number;
}

export interface ListQuery {
  to?: string;
  limit: number;
  offset: number;
}

interface Waiter {
  count: number;
  resolve: () => void;
}

/**
 * Messages and the counters that make duplicate checks O(1) per message. Everything is
 * kept in arrival order and Maps, so 65k+ messages cost a few small objects each.
 */
export class MessageStore {
  private all: CaughtMessage[] = [];
  private byId = new Map<string, CaughtMessage>();
  private byRecipient = new Map<string, CaughtMessage[]>();
  private perMessageId = new Map<string, number>();
  private perAlertRecipient = new Map<string, CaughtMessage[]>();
  private duplicateKeys = new Set<string>();
  private bodies = new Map<string, Buffer>();
  private waiters: Waiter[] = [];
  private readonly bodyLimit: number;

  constructor(options: MessageStoreOptions) {
    const keep = options.keepBodies;
    this.bodyLimit = keep === true ? Infinity : keep === false ? 0 : Math.max(0, Math.floor(keep));
  }

  add(message: CaughtMessage, raw?: Buffer): void {
    this.all.push(message);
    this.byId.set(message.id, message);
    if (message.messageId)
      this.perMessageId.set(message.messageId, (this.perMessageId.get(message.messageId) ?? 0) + 1);
    for (const recipient of message.recipients) {
      push(this.byRecipient, recipient, message);
      // Only a customer's copy of an alert (it names the contact) can be a duplicate: staff notices of the
      // same alert (approval requests of v1 and v2, the requester's notices, reminders) are meant to repeat.
      if (!message.alertId || !message.contactId) continue;
      const key = `${message.alertId}\n${recipient}`;
      if (push(this.perAlertRecipient, key, message) > 1) this.duplicateKeys.add(key);
    }
    if (raw && this.bodyLimit > 0) {
      this.bodies.set(message.id, raw);
      // Map iteration order is insertion order, so the first key is the oldest body.
      if (this.bodies.size > this.bodyLimit) this.bodies.delete(this.bodies.keys().next().value as string);
    }
    if (this.waiters.length > 0) this.wake();
  }

  get(id: string): CaughtMessage | undefined {
    return this.byId.get(id);
  }

  body(id: string): Buffer | undefined {
    return this.bodies.get(id);
  }

  count(): number {
    return this.all.length;
  }

  /** Newest first. */
  messages(): CaughtMessage[] {
    return this.all.slice().reverse();
  }

  /** Newest first. */
  forRecipient(address: string): CaughtMessage[] {
    return (this.byRecipient.get(normalizeAddress(address)) ?? []).slice().reverse();
  }

  recipientCount(address: string): number {
    return this.byRecipient.get(normalizeAddress(address))?.length ?? 0;
  }

  messageIdCount(messageId: string): number {
    const trimmed = messageId.trim();
    const bracketed = trimmed.startsWith('<') ? trimmed : `<${trimmed}>`;
    return this.perMessageId.get(bracketed) ?? this.perMessageId.get(trimmed) ?? 0;
  }

  duplicates(): Duplicate[] {
    return [...this.duplicateKeys].map((key) => {
      const messages = this.perAlertRecipient.get(key) ?? [];
      const [alertId = '', recipient = ''] = key.split('\n');
      return { alertId, recipient, count: messages.length, ids: messages.map((m) => m.id) };
    });
  }

  /** Newest first; `to` matches envelope recipients by substring, case-insensitive. */
  list(query: ListQuery): { total: number; messages: CaughtMessage[] } {
    const needle = query.to ? normalizeAddress(query.to) : '';
    let source: CaughtMessage[];
    if (!needle) source = this.all;
    else if (this.byRecipient.has(needle)) source = this.byRecipient.get(needle) ?? [];
    else source = this.all.filter((m) => m.recipients.some((r) => r.includes(needle)));
    const end = source.length - query.offset;
    const start = Math.max(0, end - query.limit);
    return { total: source.length, messages: end > 0 ? source.slice(start, end).reverse() : [] };
  }

  clear(): number {
    const removed = this.all.length;
    this.all = [];
    this.byId.clear();
    this.byRecipient.clear();
    this.perMessageId.clear();
    this.perAlertRecipient.clear();
    this.duplicateKeys.clear();
    this.bodies.clear();
    return removed;
  }

  /** Resolves once at least `count` messages arrived. */
  waitForCount(count: number): Promise<void> {
    if (this.all.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  private wake() {
    const ready = this.waiters.filter((w) => w.count <= this.all.length);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.count > this.all.length);
    for (const waiter of ready) waiter.resolve();
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): number {
  const list = map.get(key);
  if (list) return list.push(value);
  map.set(key, [value]);
  return 1;
}
