/** What a batch create answers: 201 with every record, or 207 with some records and an error per failed input. */
export interface BatchCreateAnswer {
  results: {
    id: string;
    properties: Record<string, string | null | undefined>;
    objectWriteTraceId?: string;
  }[];
  errors?: {
    category?: string;
    message?: string;
    context?: Record<string, string[] | undefined>;
  }[];
}

export interface SortedCreateAnswer {
  /** Trace id (the lower-cased key) -> the created record's id. */
  created: Map<string, string>;
  /** Trace id -> why it failed; `permanent` when sending it again cannot help (validation, conflict). */
  failed: Map<string, { message: string; permanent: boolean }>;
  /** Inputs the answer says nothing about: whether they were stored is unknown. */
  unaccounted: string[];
}

/** HubSpot categories for an input it will refuse however often it is sent. */
const PERMANENT = new Set(['VALIDATION_ERROR', 'CONFLICT', 'OBJECT_ALREADY_EXISTS', 'INVALID_PARAMS']);

/**
 * Maps a batch create's answer back to its inputs. Results are not in input order: each is matched by
 * its objectWriteTraceId, or, when HubSpot leaves that out, by the key it carries (`keyOf`). A 207's
 * errors name their inputs in `context.objectWriteTraceId`.
 */
export function sortCreateAnswer(
  answer: BatchCreateAnswer,
  traceIds: string[],
  keyOf: (record: BatchCreateAnswer['results'][number]) => string | null | undefined,
): SortedCreateAnswer {
  const asked = new Set(traceIds);
  const created = new Map<string, string>();
  for (const record of answer.results) {
    const trace = record.objectWriteTraceId ?? keyOf(record) ?? undefined;
    if (trace && asked.has(trace) && !created.has(trace)) created.set(trace, record.id);
  }
  const failed = new Map<string, { message: string; permanent: boolean }>();
  for (const error of answer.errors ?? []) {
    for (const trace of error.context?.objectWriteTraceId ?? []) {
      if (!asked.has(trace) || created.has(trace)) continue;
      failed.set(trace, {
        message: error.message ?? error.category ?? 'refused',
        permanent: PERMANENT.has(error.category ?? ''),
      });
    }
  }
  const unaccounted = traceIds.filter((t) => !created.has(t) && !failed.has(t));
  return { created, failed, unaccounted };
}
