import { Hono } from 'hono';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { SMTPServerSession } from 'smtp-server';
import { monotonicFactory } from 'ulid';
import { normalizeAddress, type CaughtMessage, type Duplicate } from './caught-message.js';
import { Faults, type FaultSwitches } from './faults.js';
import { scanHeaders } from './header-scan.js';
import { MailDir } from './mail-dir.js';
import { MessageStore, type ListQuery } from './message-store.js';
import { createOutboxApp } from './outbox-app.js';
import { startOutboxServer, type OutboxServer } from './outbox-server.js';
import { startSmtpEndpoint, type SmtpEndpoint } from './smtp-endpoint.js';

export interface SmtpCatcherOptions {
  /** SMTP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface for SMTP and the outbox; default 127.0.0.1. */
  host?: string;
  /** Port of the outbox page and JSON API; 0 (default) picks a free one. */
  webPort?: number;
  /** Persist every message here as .eml plus index.jsonl, and restore them on start. */
  dataDir?: string;
  /**
   * Raw messages kept in memory for the outbox: true all, false none, a number the newest N
   * (default 10,000). Counters and summaries are always kept; with a dataDir older bodies are read from disk.
   */
  keepBodies?: boolean | number;
}

export interface SmtpCatcher {
  host: string;
  smtpPort: number;
  /** `smtp://host:port`, ready for SMTP_URL. */
  smtpUrl: string;
  /** Outbox page; the JSON API is under `${url}api/`. */
  url: string;
  /** Newest first. */
  messages(): CaughtMessage[];
  /** Messages delivered to this envelope recipient, newest first. */
  byRecipient(address: string): CaughtMessage[];
  count(): number;
  recipientCount(address: string): number;
  messageIdCount(messageId: string): number;
  /**
   * Transactions clients began with this MAIL FROM address, whether or not a message followed:
   * with per-recipient bounce addresses (VERP), which messages reached the server at all.
   */
  mailFromCount(address: string): number;
  /** Recipients that got more than one message for the same X-Rapport-Alert-Id. */
  duplicates(): Duplicate[];
  get(id: string): CaughtMessage | undefined;
  list(query: ListQuery): { total: number; messages: CaughtMessage[] };
  /** The message as received, if kept in memory or on disk. */
  raw(id: string): Promise<Buffer | undefined>;
  /** Full mailparser parse, done on demand. */
  parsed(id: string): Promise<ParsedMail | undefined>;
  /** Resolves once `count` messages arrived in total; rejects after `timeoutMs` (default 10 s). */
  waitForCount(count: number, timeoutMs?: number): Promise<void>;
  faults: FaultSwitches;
  /** Forgets every message (and deletes them from the data dir); resolves with how many. */
  clear(): Promise<number>;
  close(): Promise<void>;
}

export async function startSmtpCatcher(options: SmtpCatcherOptions = {}): Promise<SmtpCatcher> {
  const host = options.host ?? '127.0.0.1';
  const store = new MessageStore({ keepBodies: options.keepBodies ?? 10_000 });
  const opened = options.dataDir ? await MailDir.open(options.dataDir) : undefined;
  const mailDir = opened?.mailDir;
  for (const message of opened?.restored ?? []) store.add(message);
  const mailFroms = new Map<string, number>();
  // Math.random is plenty for ids that only need to sort and not collide; the default PRNG costs 16 crypto calls per id.
  const nextId = monotonicFactory(Math.random);

  // The endpoint does not exist yet when the faults are built; the switches only run later.
  let endpoint: SmtpEndpoint | undefined;
  const faults = new Faults({
    stop: async (inFlight) => endpoint?.stop(inFlight),
    resume: async () => endpoint?.resume(),
  });

  async function accept(raw: Buffer, session: SMTPServerSession): Promise<string> {
    const latency = faults.latency;
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    const mailFrom = session.envelope.mailFrom;
    const message: CaughtMessage = {
      id: nextId(),
      receivedAt: new Date().toISOString(),
      envelopeFrom: mailFrom ? mailFrom.address : '',
      recipients: session.envelope.rcptTo.map((r) => normalizeAddress(r.address)),
      ...scanHeaders(raw),
      size: raw.length,
    };
    await mailDir?.save(message, raw);
    store.add(message, raw);
    return `Accepted as ${message.id}`;
  }

  const raw = async (id: string) => {
    if (!store.get(id)) return undefined;
    return store.body(id) ?? (await mailDir?.read(id));
  };

  let web: OutboxServer | undefined;
  const close = async () => {
    faults.dispose();
    await endpoint?.close();
    await web?.close();
    await mailDir?.close();
  };

  const catcher: SmtpCatcher = {
    host,
    smtpPort: 0,
    smtpUrl: '',
    url: '',
    messages: () => store.messages(),
    byRecipient: (address) => store.forRecipient(address),
    count: () => store.count(),
    recipientCount: (address) => store.recipientCount(address),
    messageIdCount: (messageId) => store.messageIdCount(messageId),
    mailFromCount: (address) => mailFroms.get(normalizeAddress(address)) ?? 0,
    duplicates: () => store.duplicates(),
    get: (id) => store.get(id),
    list: (query) => store.list(query),
    raw,
    parsed: async (id) => {
      const source = await raw(id);
      return source ? simpleParser(source, { skipImageLinks: true, skipTextLinks: true }) : undefined;
    },
    waitForCount: (count, timeoutMs = 10_000) => waitWithTimeout(store, count, timeoutMs),
    faults,
    clear: async () => {
      mailFroms.clear();
      const removed = store.clear();
      await mailDir?.clear();
      return removed;
    },
    close,
  };

  try {
    endpoint = await startSmtpEndpoint({
      port: options.port ?? 0,
      host,
      checkRecipient: (address) => faults.recipientError(address),
      onMailFrom: (address) => {
        const key = normalizeAddress(address);
        mailFroms.set(key, (mailFroms.get(key) ?? 0) + 1);
      },
      onMessage: accept,
    });
    web = await startOutboxServer(new Hono().route('/', createOutboxApp(catcher)), options.webPort ?? 0, host);
  } catch (error) {
    await close();
    throw error;
  }
  const urlHost = host.includes(':') ? `[${host}]` : host;
  catcher.smtpPort = endpoint.port;
  catcher.smtpUrl = `smtp://${urlHost}:${endpoint.port}`;
  catcher.url = `http://${urlHost}:${web.port}/`;
  return catcher;
}

async function waitWithTimeout(store: MessageStore, count: number, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`waited ${timeoutMs} ms for ${count} messages; the catcher has ${store.count()}`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([store.waitForCount(count), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
