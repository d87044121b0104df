import { Client } from '@hubspot/api-client';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Logger } from 'pino';
import type { Metrics } from '../../lib/metrics.js';
import type { IdempotencyLedger } from '../idempotency-ledger.js';
import { CrmError } from '../port.js';
import { RateBudget, type CallKind, type Traffic } from '../rate-budget.js';
import type { SlotStore } from '../shared-slots.js';
import { describeHubSpotError } from './errors.js';
import {
  DEFAULT_PROPERTY_MAP,
  propertyTranslator,
  type ContactPropertyMap,
  type PropertyTranslator,
} from './property-map.js';

export type AdapterLogger = Pick<Logger, 'warn' | 'debug'>;

export interface HubSpotBudgetOptions {
  /** The account's budget per rolling 10 s (100 Free/Starter, 190 Pro/Enterprise, 250 with the pack). */
  rateLimitPerTenSeconds?: number;
  searchPerSecond?: number;
  /** Share of the budget (0-1) kept for interactive reads (default 0). */
  interactiveReserve?: number;
  /** Slots shared by every process (PostgreSQL); unset: this process's own budget. */
  slots?: SlotStore;
  /** Per-call timeout (default 30 s). */
  timeoutMs?: number;
  /** 429s retried in place before CRM_RATE_LIMITED surfaces (default 3). */
  maxRateLimitRetries?: number;
  logger?: AdapterLogger;
  /** Every request counted by kind, traffic and status (lib/metrics.ts). */
  metrics?: Pick<Metrics, 'crmRequest'>;
}

export interface HubSpotCrmOptions extends HubSpotBudgetOptions {
  accessToken: string;
  /** https://api.hubapi.com, or a sandbox URL. */
  basePath?: string;
  /** Extra contact properties every contact read asks for. */
  contactProperties?: string[];
  /** Which HubSpot contact property holds each fact Rapport reads (default: HubSpot's own, else rapport_*). */
  propertyMap?: ContactPropertyMap;
  /**
   * The portal's budget, when several adapters share it (createHubSpotBudget): one per face of a
   * process, one traffic class each. Unset: the adapter makes its own from the options above.
   */
  budget?: RateBudget;
  /** Whom this adapter's calls serve: people waiting (interactive) or background work (default). */
  traffic?: Traffic;
  /** Communication preferences API for reads (crm/hubspot/preferences.ts); default auto. */
  preferencesApi?: 'auto' | 'v4' | 'v3' | 'off';
  /** A contact's activity for the customer view: v1 (one request, v3 when refused; default) or v3 only. */
  activityRead?: 'v1' | 'v3';
  /**
   * Where idempotency keys and the ids they became are kept (PostgreSQL: store/idempotency-ledger.ts,
   * shared by every process). Unset: this process's memory, enough for one process only.
   */
  idempotencyLedger?: IdempotencyLedger;
  /** How long HubSpot's search index may trail a write; an uncertain create is looked for after it (default 5 s). */
  searchLagMs?: number;
}

/** HubSpot's request budget with HubSpot's error reading; 429s, pauses and timeouts are logged. */
export function createHubSpotBudget(options: HubSpotBudgetOptions): RateBudget {
  const logger = options.logger;
  return new RateBudget({
    perWindow: options.rateLimitPerTenSeconds ?? 100,
    windowMs: 10_000,
    searchPerSecond: options.searchPerSecond ?? 5,
    interactiveReserve: options.interactiveReserve,
    slots: options.slots,
    timeoutMs: options.timeoutMs,
    maxRateLimitRetries: options.maxRateLimitRetries,
    describe: describeHubSpotError,
    onEvent: (event) =>
      logger?.warn({ crm: 'hubspot', ...event }, `HubSpot call ${event.type}; waiting ${event.waitMs} ms`),
    onWarning: (message) => logger?.warn({ crm: 'hubspot' }, message),
    ...(options.metrics ? { onRequest: options.metrics.crmRequest } : {}),
  });
}

/** What every part of the adapter shares: one client, one budget. */
export interface AdapterContext {
  client: Client;
  budget: RateBudget;
  logger?: AdapterLogger;
  call<T>(kind: CallKind, fn: () => Promise<T>): Promise<T>;
  /** The HubSpot names every contact read asks for (mapped facts under their configured names). */
  contactProperties(): string[];
  addContactProperties(names: string[]): void;
  /** Between HubSpot's property names and the names the rest of Rapport reads. */
  properties: PropertyTranslator;
}

export function createContext(options: HubSpotCrmOptions, baseContactProperties: string[]): AdapterContext {
  const basePath = (options.basePath ?? 'https://api.hubapi.com').replace(/\/+$/, '');
  // Keep-alive: a batch of touches costs a few requests, not a few TLS handshakes.
  const httpAgent = basePath.startsWith('https:')
    ? new HttpsAgent({ keepAlive: true, maxSockets: 16 })
    : new HttpAgent({ keepAlive: true, maxSockets: 16 });
  // numberOfApiCallRetries 0: the library's retry ignores Retry-After; the budget retries instead.
  const client = new Client({ accessToken: options.accessToken, basePath, numberOfApiCallRetries: 0, httpAgent });
  const logger = options.logger;
  const budget = options.budget ?? createHubSpotBudget(options);
  const traffic = options.traffic ?? 'background';
  const contactProperties = new Set([...baseContactProperties, ...(options.contactProperties ?? [])]);
  const properties = propertyTranslator(options.propertyMap ?? DEFAULT_PROPERTY_MAP);
  return {
    client,
    budget,
    logger,
    call: (kind, fn) => budget.run(kind, fn, traffic),
    contactProperties: () => properties.readNames([...contactProperties]),
    properties,
    addContactProperties: (names) => names.forEach((n) => contactProperties.add(n)),
  };
}

export function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** Runs `fn`, turning CRM_NOT_FOUND into null. */
export async function orNull<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof CrmError && error.code === 'CRM_NOT_FOUND') return null;
    throw error;
  }
}
