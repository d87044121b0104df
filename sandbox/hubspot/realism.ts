import { z } from 'zod';
import { resolveObjectType, type ObjectType } from './object-types.js';

/**
 * How real HubSpot differs from an instant, always-whole answer. Unlike a fault (one at a time,
 * replaced by the next), these are standing properties of the portal, each a switch of its own.
 */
export const realismSchema = z
  .object({
    /**
     * Created and updated records reach search this long after the write (HubSpot's index trails
     * writes by seconds). Reads by id and association reads are never behind.
     */
    searchLagMs: z.number().int().min(0).max(600_000).optional(),
    /**
     * Share (0-1) of the inputs of a batch create that fail on their own. Only batches whose inputs
     * all carry `objectWriteTraceId` (HubSpot's opt-in to multi-status) answer 207 with the rest
     * created; without trace ids such a batch fails whole, as HubSpot's does.
     */
    partialBatchCreateRate: z.number().min(0).max(1).optional(),
    /** Share (0-1) of creates (single and batch) whose answer is lost after the records were stored. */
    lostCreateResponseRate: z.number().min(0).max(1).optional(),
    /** Object types on which custom properties cannot be created nor written. */
    refuseCustomPropertiesOn: z
      .array(z.string().refine((name) => resolveObjectType(name) !== undefined, { message: 'unknown object type' }))
      .optional(),
    /** Seed of the pseudo-random draws behind the rates (same seed, same failures). */
    seed: z.number().int().optional(),
  })
  .strict();

export type RealismSpec = z.infer<typeof realismSchema>;

/** Small enough for the test suite's search-after-write tests, still never instant. */
export const DEFAULT_SEARCH_LAG_MS = 250;

export interface RealismSettings {
  searchLagMs: number;
  partialBatchCreateRate: number;
  lostCreateResponseRate: number;
  refuseCustomPropertiesOn: ObjectType[];
}

export interface RealismController {
  /** Changes the named switches; the others keep their value. */
  set(spec: RealismSpec): RealismSettings;
  /** Back to the sandbox's start-up settings. */
  reset(): void;
  current(): RealismSettings;
}

/** mulberry32: a tiny deterministic generator, so a failing run can be replayed. */
function generator(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Names already checked by the schema. */
const parseTypes = (names: string[]): ObjectType[] => names.map((name) => resolveObjectType(name)!);

export class Realism implements RealismController {
  private settings: RealismSettings;
  private random: () => number;
  private readonly initial: RealismSettings;

  constructor(spec: RealismSpec = {}) {
    this.initial = {
      searchLagMs: DEFAULT_SEARCH_LAG_MS,
      partialBatchCreateRate: 0,
      lostCreateResponseRate: 0,
      refuseCustomPropertiesOn: [],
    };
    this.settings = { ...this.initial };
    this.random = generator(1);
    this.set(spec);
    this.initial = { ...this.settings };
  }

  set(spec: RealismSpec): RealismSettings {
    const parsed = realismSchema.parse(spec);
    const { seed, refuseCustomPropertiesOn, ...rest } = parsed;
    this.settings = {
      ...this.settings,
      ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
      ...(refuseCustomPropertiesOn ? { refuseCustomPropertiesOn: parseTypes(refuseCustomPropertiesOn) } : {}),
    };
    if (seed !== undefined) this.random = generator(seed);
    return this.current();
  }

  reset() {
    this.settings = { ...this.initial };
    this.random = generator(1);
  }

  current(): RealismSettings {
    return { ...this.settings, refuseCustomPropertiesOn: [...this.settings.refuseCustomPropertiesOn] };
  }

  get searchLagMs() {
    return this.settings.searchLagMs;
  }

  refusesCustomProperties(type: ObjectType): boolean {
    return this.settings.refuseCustomPropertiesOn.includes(type);
  }

  /** Whether this input of a batch create fails on its own (a 207 error entry). */
  failsInBatch(): boolean {
    return this.settings.partialBatchCreateRate > 0 && this.random() < this.settings.partialBatchCreateRate;
  }

  /** Whether this create's answer is lost after the records were stored. */
  losesCreateResponse(): boolean {
    return this.settings.lostCreateResponseRate > 0 && this.random() < this.settings.lostCreateResponseRate;
  }
}

/** Pre-write property values of recently updated records: what search still shows until the index catches up. */
export class UpdateLag {
  private stale = new Map<string, { properties: Record<string, string>; until: number }>();

  /** Call before applying an update made at `now`. */
  remember(type: ObjectType, id: string, properties: Record<string, string>, now: number, lagMs: number) {
    if (lagMs <= 0) return;
    const key = `${type}:${id}`;
    // The index shows the value of before the first update it has not caught up with.
    const existing = this.stale.get(key);
    if (existing && existing.until > now) {
      existing.until = now + lagMs;
      return;
    }
    this.stale.set(key, { properties: { ...properties }, until: now + lagMs });
    if (this.stale.size > 50_000) this.prune(now);
  }

  /** The properties search sees for the record at `now`. */
  indexed(type: ObjectType, id: string, current: Record<string, string>, now: number): Record<string, string> {
    const entry = this.stale.get(`${type}:${id}`);
    if (!entry) return current;
    if (entry.until <= now) {
      this.stale.delete(`${type}:${id}`);
      return current;
    }
    return entry.properties;
  }

  clear() {
    this.stale.clear();
  }

  private prune(now: number) {
    for (const [key, entry] of this.stale) if (entry.until <= now) this.stale.delete(key);
  }
}
