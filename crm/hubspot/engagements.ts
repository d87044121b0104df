import type { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/objects/models/Filter.js';
import type { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/objects/models/AssociationSpec.js';
import type { IdempotencyLedger } from '../idempotency-ledger.js';
import { isTimeout } from '../rate-budget.js';
import { CrmError, type CrmEngagement, type EngagementKind } from '../port.js';
import type { BatchedReads } from './batched-reads.js';
import { chunk, type AdapterContext } from './context.js';
import { BODY_PROPERTY, keyFromBody, withMarker } from './engagement-marker.js';
import { toEngagement, type CreateInput } from './mapping.js';
import { ASSOCIATION_TO_CONTACT, BATCH_SIZE, IDEMPOTENCY_KEY, OBJECT_TYPE, type WritableObjectType } from './schema.js';
import type { KeyCarrier } from './schema-sync.js';
import { sortCreateAnswer, type BatchCreateAnswer } from './batch-answer.js';
import type { ActivityReads } from './activity-v1.js';

const TIMELINE_KINDS: EngagementKind[] = ['note', 'call', 'email', 'meeting'];
/** An uncertain create is recent: its record is among the contact's newest this many of its type. */
const NEWEST_FOR_MARKER = 100;

export interface EngagementWriteOptions {
  /** key -> CRM id, kept before and after each create (PostgreSQL across processes). */
  ledger: IdempotencyLedger;
  /** How long HubSpot's search index may trail a create: an uncertain create is looked for only after it. */
  searchLagMs: number;
  /**
   * Times a 207's retryable failure is sent again within the call (default 5): each try only takes
   * a seat in a request that goes anyway, while giving up fails the caller's whole write (a retried
   * activity with its look-ups).
   */
  partialRetries?: number;
  /** The longest a create can be in flight, budget waits included (default 2 min): a crashed attempt's claim settles after it. */
  inFlightMs?: number;
  /** The longest a write waits in place for an uncertain create to settle and be indexed (default 30 s); longer: it fails, to be retried. */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** The one-request activity read (activity-v1.ts); unset: v3 only. */
  activity?: ActivityReads;
}

/** How long inputs waiting for a seat wait for another call's request before their own call sends them. */
const SEAT_WAIT_MS = 5_000;
const SEAT_POLL_MS = 25;

type SeatOutcome = { id: string } | { refused: { message: string; permanent: boolean } } | { error: unknown };

/** One input of a batch create on its way: settled once, by whichever request carried it. */
interface Seat {
  input: CreateInput;
  /** The lower-cased key: the input's trace id. */
  key: string;
  /** Times a 207 failed it already. */
  tries: number;
  outcome?: SeatOutcome;
  settled: Promise<void>;
  settle(outcome: SeatOutcome): void;
}

function newSeat(input: CreateInput): Seat {
  let resolve!: () => void;
  const seat: Seat = {
    input,
    key: input.key.toLowerCase(),
    tries: 0,
    settled: new Promise<void>((r) => (resolve = r)),
    settle(outcome) {
      if (seat.outcome) return;
      seat.outcome = outcome;
      resolve();
    },
  };
  return seat;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A failed create left nothing behind (a 4xx answer, a 429 never served): its claims can go. */
const nothingStored = (error: unknown) =>
  error instanceof CrmError && error.code !== 'CRM_UNAVAILABLE' && error.status !== undefined;

/**
 * Idempotent writes that hold on a real portal (search lags, answers get lost, batches half-fail):
 * - every key is claimed in the ledger before its create is sent and completed with the id after,
 *   so a key with an id is never written again and a key never claimed was never sent;
 * - a key claimed but never confirmed (the answer was lost, the process died) is an uncertain
 *   create: the retry waits until the index has caught up with the claim, looks the key up, and
 *   creates only what it does not find; taking the claim over is a compare-and-set, so two
 *   retries never both create;
 * - batch creates carry objectWriteTraceId (the key), so a 207's results and errors map back to
 *   their inputs: the created are kept, the failed are sent again, nothing is created twice.
 */
export function engagementOperations(
  ctx: AdapterContext,
  ensureIdempotencyKey: (type: WritableObjectType) => Promise<KeyCarrier>,
  reads: BatchedReads,
  options: EngagementWriteOptions,
) {
  const { client, logger } = ctx;
  const { ledger } = options;
  const sleep = options.sleep ?? sleepFor;
  const partialRetries = options.partialRetries ?? 5;
  const inFlightMs = options.inFlightMs ?? 120_000;
  const maxWaitMs = options.maxWaitMs ?? 30_000;

  /** Lower-cased key -> id of the oldest record carrying it in its key property (search). */
  async function searchKeys(objectType: WritableObjectType, keys: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const values of chunk([...new Set(keys)], BATCH_SIZE)) {
      let after: string | undefined;
      do {
        const page = await ctx.call('search', () =>
          client.crm.objects.searchApi.doSearch(objectType, {
            // IN compares with HubSpot's lower-cased index: the values must be lower case.
            filterGroups: [
              { filters: [{ propertyName: IDEMPOTENCY_KEY, operator: 'IN' as FilterOperatorEnum, values }] },
            ],
            properties: [IDEMPOTENCY_KEY],
            limit: 200,
            ...(after ? { after } : {}),
          }),
        );
        for (const record of page.results) {
          const key = record.properties[IDEMPOTENCY_KEY]?.toLowerCase();
          const known = key ? found.get(key) : undefined;
          if (key && (!known || Number(record.id) < Number(known))) found.set(key, record.id);
        }
        after = page.paging?.next?.after;
      } while (after);
    }
    return found;
  }

  /**
   * Lower-cased key -> id, found by the marker in the bodies of the contact's newest records of the
   * type (v4 associations + batch read: no search index, so no lag). Inputs with no contact cannot
   * be looked up this way; they rely on the ledger alone.
   */
  async function markerKeys(objectType: WritableObjectType, inputs: CreateInput[]): Promise<Map<string, string>> {
    const wanted = new Map<string, Set<string>>();
    for (const input of inputs) {
      const contact = input.associations.find((a) =>
        a.types.some((t) => t.associationTypeId === ASSOCIATION_TO_CONTACT[objectType]),
      )?.to.id;
      if (!contact) continue;
      wanted.set(contact, (wanted.get(contact) ?? new Set()).add(input.key.toLowerCase()));
    }
    const found = new Map<string, string>();
    await Promise.all(
      [...wanted].map(async ([contactId, keys]) => {
        const ids = (await reads.associatedIds(contactId, objectType))
          .sort((a, b) => Number(b) - Number(a))
          .slice(0, NEWEST_FOR_MARKER);
        for (const record of await reads.records(objectType, ids)) {
          const key = keyFromBody(record.properties[BODY_PROPERTY[objectType]])?.toLowerCase();
          const known = key ? found.get(key) : undefined;
          if (key && keys.has(key) && (!known || Number(record.id) < Number(known))) found.set(key, record.id);
        }
      }),
    );
    return found;
  }

  const lookUp = (objectType: WritableObjectType, carrier: KeyCarrier, inputs: CreateInput[]) =>
    carrier === 'property'
      ? searchKeys(
          objectType,
          inputs.map((i) => i.key.toLowerCase()),
        )
      : markerKeys(objectType, inputs);

  /**
   * One batch create; created records and refused inputs by lower-cased key (the trace id). The
   * inputs are asked for when the request leaves (`compose`, once: a 429's retry sends the same),
   * after the wait for the budget, so they can include what other requests' answers left waiting meanwhile.
   */
  async function sendBatch(objectType: WritableObjectType, carrier: KeyCarrier, compose: () => CreateInput[]) {
    let inputs: CreateInput[] | undefined;
    const response = await ctx.call('standard', () =>
      client.crm.objects.batchApi.create(objectType, {
        inputs: (inputs ??= compose()).map((i) => ({
          // The key names the input: results and 207 errors come back with it.
          objectWriteTraceId: i.key.toLowerCase(),
          properties: carrier === 'marker' ? withMarker(objectType, i.properties, i.key) : i.properties,
          associations: i.associations.map((a) => ({
            to: a.to,
            types: a.types.map((t) => ({
              ...t,
              associationCategory: t.associationCategory as AssociationSpecAssociationCategoryEnum,
            })),
          })),
        })),
      }),
    );
    return sortCreateAnswer(
      response as BatchCreateAnswer,
      inputs!.map((i) => i.key.toLowerCase()),
      (record) =>
        (carrier === 'property'
          ? record.properties[IDEMPOTENCY_KEY]
          : keyFromBody(record.properties[BODY_PROPERTY[objectType]])
        )?.toLowerCase(),
    );
  }

  /**
   * Inputs waiting for a seat in the next batch create of their type, whoever sends it: those a 207
   * refused for a reason that may pass (a 5xx-like category), and the last few of a call that gave
   * their seats to such inputs. A 207 with a failed input or two in most batches of 100 then costs
   * a few more inputs in later requests, not one more request per batch.
   */
  const seats = new Map<WritableObjectType, Seat[]>();
  const takeSeats = (objectType: WritableObjectType, max: number, first?: Set<Seat>) => {
    const queue = seats.get(objectType) ?? [];
    const mine = first ? queue.filter((seat) => first.has(seat)) : [];
    const taken = [...mine, ...queue.filter((seat) => !first?.has(seat))].slice(0, max);
    const gone = new Set(taken);
    seats.set(
      objectType,
      queue.filter((seat) => !gone.has(seat)),
    );
    return taken;
  };
  /** Calls of each type still sending their own inputs: they will have seats to give. */
  const filling = new Map<WritableObjectType, number>();
  const giveSeat = (objectType: WritableObjectType, seat: Seat) =>
    seats.set(objectType, [...(seats.get(objectType) ?? []), seat]);

  /**
   * One request's inputs, composed when it leaves (`compose`, called once): every one is settled
   * (created, refused, or failed with the request), or waits for a seat again.
   */
  async function sendSeats(objectType: WritableObjectType, carrier: KeyCarrier, compose: () => Seat[]): Promise<void> {
    let composed: Seat[] | undefined;
    const seated = () => (composed ??= compose());
    let answer: Awaited<ReturnType<typeof sendBatch>>;
    try {
      answer = await sendBatch(objectType, carrier, () => seated().map((seat) => seat.input));
    } catch (error) {
      // Also when it failed before it left (the budget's ledger): the seats it would have carried fail with it.
      const batch = seated();
      const keys = batch.map((seat) => seat.key);
      // Refused whole: nothing stored. A dropped connection or a 5xx: the claims stay pending, and
      // nothing of this attempt can commit after now, so its retry may look once the index caught up.
      // A timeout did not stop the request: it may still commit until the claim's in-flight bound.
      if (nothingStored(error)) await ledger.release(objectType, keys);
      else if (!isTimeout(error)) await ledger.settle(objectType, keys);
      for (const seat of batch) seat.settle({ error });
      return;
    }
    const batch = seated();
    const done = [...answer.created].map(([key, crmId]) => ({ key, crmId }));
    if (done.length > 0) await ledger.complete(objectType, done);
    // Neither created nor refused (an answer without some input): uncertain, left pending.
    if (answer.unaccounted.length > 0) await ledger.settle(objectType, answer.unaccounted);
    const unaccounted = new Set(answer.unaccounted);
    const given: string[] = [];
    const released: string[] = [];
    for (const seat of batch) {
      const id = answer.created.get(seat.key);
      const failure = answer.failed.get(seat.key);
      if (id !== undefined) seat.settle({ id });
      else if (unaccounted.has(seat.key))
        seat.settle({
          error: new CrmError('CRM_UNAVAILABLE', `HubSpot did not account for a created record (${seat.key})`),
        });
      else if (failure && !failure.permanent && seat.tries < partialRetries) {
        // Worth another try: in the next request of this type, with others.
        seat.tries += 1;
        given.push(seat.key);
        giveSeat(objectType, seat);
      } else {
        // A validation error (or a refusal that kept coming): nothing was stored, and sending it
        // again cannot help now: it fails at once, its claim dropped.
        released.push(seat.key);
        seat.settle({ refused: { message: failure?.message ?? 'refused', permanent: failure?.permanent ?? false } });
      }
    }
    if (released.length > 0) await ledger.release(objectType, released);
    if (given.length > 0)
      logger?.debug(
        { crm: 'hubspot', objectType, failed: given.length },
        'HubSpot created part of a batch (207); the failed inputs go again with the next request',
      );
  }

  /**
   * Creates the claimed keys, a batch of at most 100 per request, inputs waiting for a seat
   * (another call's 207 failures) first. A 207's failed inputs that may pass later get a seat in
   * the next request of their type, whoever sends it (at most partialRetries times); validation
   * errors fail at once. Every confirmed id is completed in the ledger before anything is thrown.
   */
  async function createClaimed(
    objectType: WritableObjectType,
    carrier: KeyCarrier,
    inputs: CreateInput[],
  ): Promise<Map<string, string>> {
    const own = inputs.map((input) => newSeat(input));
    const mine = new Set(own);
    const queue = [...own];
    filling.set(objectType, (filling.get(objectType) ?? 0) + 1);
    try {
      while (queue.length > 0) {
        // Composed when the request leaves, after its wait for the budget: the failures other
        // requests' answers brought meanwhile ride in it, so the requests stay full.
        await sendSeats(objectType, carrier, () => {
          const riders = takeSeats(objectType, BATCH_SIZE);
          const batch = [...riders, ...queue.splice(0, BATCH_SIZE - riders.length)];
          // The last few that gave their seats away wait for the next request rather than make one of their own.
          if (riders.length > 0 && queue.length > 0 && queue.length < BATCH_SIZE)
            for (const seat of queue.splice(0)) giveSeat(objectType, seat);
          return batch;
        });
      }
    } finally {
      filling.set(objectType, filling.get(objectType)! - 1);
    }
    // Own inputs still waiting for a seat: another call's request takes them, or after a while this call sends them.
    for (;;) {
      const open = own.filter((seat) => !seat.outcome);
      if (open.length === 0) break;
      // Worth waiting only while some call is still sending requests of this type: until they are
      // all done (then the first call to look sends every input still waiting), at most SEAT_WAIT_MS.
      const settled = Promise.all(open.map((seat) => seat.settled));
      for (let waited = 0; (filling.get(objectType) ?? 0) > 0 && waited < SEAT_WAIT_MS; waited += SEAT_POLL_MS) {
        if (await Promise.race([settled.then(() => true), sleep(SEAT_POLL_MS).then(() => false)])) break;
      }
      const queued = new Set(seats.get(objectType) ?? []);
      if (own.some((seat) => !seat.outcome && queued.has(seat))) {
        // Taken now: an empty request is never sent.
        const batch = takeSeats(objectType, BATCH_SIZE, mine);
        await sendSeats(objectType, carrier, () => batch);
      }
      // The rest are in another call's request: it settles them, or gives them a seat again.
      else await Promise.race([settled, sleep(SEAT_POLL_MS)]);
    }
    const created = new Map<string, string>();
    const refused: { message: string; permanent: boolean }[] = [];
    let failure: unknown;
    for (const seat of own) {
      const outcome = seat.outcome!;
      if ('id' in outcome) created.set(seat.key, outcome.id);
      else if ('refused' in outcome) refused.push(outcome.refused);
      else failure ??= outcome.error;
    }
    if (failure !== undefined) throw failure;
    if (refused.length > 0) {
      const permanent = refused.every((r) => r.permanent);
      throw new CrmError(
        permanent ? 'CRM_BAD_REQUEST' : 'CRM_UNAVAILABLE',
        `HubSpot refused ${refused.length} of ${inputs.length} records: ${refused[0]!.message}`,
        permanent ? 400 : undefined,
      );
    }
    return created;
  }

  async function createIdempotent(inputs: CreateInput[]): Promise<{ id: string; created: boolean }[]> {
    const results: { id: string; created: boolean }[] = new Array(inputs.length);
    const byType = new Map<WritableObjectType, number[]>();
    inputs.forEach((input, i) => byType.set(input.objectType, [...(byType.get(input.objectType) ?? []), i]));

    for (const [objectType, indexes] of byType) {
      const carrier = await ensureIdempotencyKey(objectType);
      // Group by key so a key repeated in the input is written once.
      const byKey = new Map<string, number[]>();
      for (const i of indexes) {
        const key = inputs[i]!.key.toLowerCase();
        byKey.set(key, [...(byKey.get(key) ?? []), i]);
      }
      const first = (key: string) => inputs[byKey.get(key)![0]!]!;
      for (const keys of chunk([...byKey.keys()], BATCH_SIZE)) {
        const entries = await ledger.claim(objectType, keys, inFlightMs);
        const existing = new Map<string, string>();
        const toCreate: string[] = [];
        const uncertain: { key: string; attempt: number; settlesInMs: number }[] = [];
        const unrecorded: string[] = [];
        for (const key of keys) {
          const entry = entries.get(key)!;
          if (entry.state === 'done') existing.set(key, entry.crmId);
          else if (entry.state === 'pending') uncertain.push({ key, ...entry });
          // Claimed now, yet the caller says an attempt may have gone before: one from before the ledger.
          else if (byKey.get(key)!.some((i) => inputs[i]!.firstAttempt !== true)) unrecorded.push(key);
          else toCreate.push(key);
        }

        if (unrecorded.length > 0) {
          const found = await lookUp(objectType, carrier, unrecorded.map(first));
          const done = unrecorded.filter((k) => found.has(k)).map((key) => ({ key, crmId: found.get(key)! }));
          if (done.length > 0) await ledger.complete(objectType, done);
          for (const { key, crmId } of done) existing.set(key, crmId);
          toCreate.push(...unrecorded.filter((k) => !found.has(k)));
        }

        if (uncertain.length > 0) {
          // The index shows a create some time after it committed: look only once it has caught up.
          const wait = Math.max(...uncertain.map((u) => u.settlesInMs)) + options.searchLagMs;
          if (wait > maxWaitMs) {
            throw new CrmError(
              'CRM_UNAVAILABLE',
              `an earlier attempt at ${uncertain.length} record(s) may still be in flight; trying again later`,
            );
          }
          if (wait > 0) await sleep(wait);
          // Another attempt may have finished meanwhile.
          const now = await ledger.claim(
            objectType,
            uncertain.map((u) => u.key),
            inFlightMs,
          );
          const open = uncertain.filter((u) => {
            const entry = now.get(u.key)!;
            if (entry.state === 'done') existing.set(u.key, entry.crmId);
            return entry.state !== 'done';
          });
          const found =
            open.length > 0
              ? await lookUp(
                  objectType,
                  carrier,
                  open.map((u) => first(u.key)),
                )
              : new Map();
          const done = open.filter((u) => found.has(u.key)).map((u) => ({ key: u.key, crmId: found.get(u.key)! }));
          if (done.length > 0) await ledger.complete(objectType, done);
          for (const { key, crmId } of done) existing.set(key, crmId);
          const missing = open.filter((u) => !found.has(u.key));
          if (missing.length > 0) {
            const taken = await ledger.reclaim(objectType, missing, inFlightMs);
            if (taken.size < missing.length) {
              throw new CrmError(
                'CRM_UNAVAILABLE',
                `${missing.length - taken.size} record(s) are being written by another attempt; trying again later`,
              );
            }
            toCreate.push(...missing.map((u) => u.key));
          }
        }

        const created = toCreate.length > 0 ? await createClaimed(objectType, carrier, toCreate.map(first)) : new Map();
        for (const key of keys) {
          const newId = created.get(key) as string | undefined;
          const id = newId ?? existing.get(key)!;
          byKey.get(key)!.forEach((i, n) => (results[i] = { id, created: newId !== undefined && n === 0 }));
        }
      }
    }
    return results;
  }

  async function readEngagements(kind: EngagementKind, ids: string[]): Promise<CrmEngagement[]> {
    return (await reads.records(OBJECT_TYPE[kind], ids)).map((r) => toEngagement(kind, r));
  }

  return {
    createIdempotent,

    async findEngagementsByKeys(kind: EngagementKind, keys: string[]): Promise<Map<string, string>> {
      const objectType = OBJECT_TYPE[kind];
      const lower = [...new Set(keys.map((k) => k.toLowerCase()))];
      // The ledger first: it knows what was written seconds ago, which the search index may not yet.
      const found = await ledger.known(objectType, lower);
      const rest = lower.filter((k) => !found.has(k));
      // A portal without the key property has nothing to search: those keys are known by the ledger only.
      if (rest.length > 0 && (await ensureIdempotencyKey(objectType)) === 'property') {
        for (const [key, id] of await searchKeys(objectType, rest)) found.set(key, id);
      }
      // Answer in the caller's spelling of each key.
      return new Map(keys.filter((k) => found.has(k.toLowerCase())).map((k) => [k, found.get(k.toLowerCase())!]));
    },

    async listContactEngagements(contactId: string, limit = 50): Promise<CrmEngagement[]> {
      const activity = await options.activity?.forContact(contactId);
      if (activity) {
        return activity.engagements.sort((a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp)).slice(0, limit);
      }
      // HubSpot ids grow with creation time: read the newest few per kind, then order by hs_timestamp.
      const perKind = Math.max(limit, 100);
      const lists = await Promise.all(
        TIMELINE_KINDS.map(async (kind) => {
          const ids = await reads.associatedIds(contactId, OBJECT_TYPE[kind]);
          const newest = ids.sort((a, b) => Number(b) - Number(a)).slice(0, perKind);
          return readEngagements(kind, newest);
        }),
      );
      return lists
        .flat()
        .sort((a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp))
        .slice(0, limit);
    },
  };
}
