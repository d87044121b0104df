import { z } from 'zod';

export const faultSpecSchema = z
  .object({
    /** Answer with this status (e.g. 503, 502, 429, 423) instead of serving the request. */
    status: z.number().int().min(400).max(599).optional(),
    /** With status 429: the Retry-After header, in seconds (default 1). */
    retryAfterSeconds: z.number().min(0).optional(),
    /** With status 429: no Retry-After header at all, as HubSpot sometimes answers. */
    omitRetryAfter: z.boolean().optional(),
    /** Delay every answer by this much. */
    latencyMs: z.number().int().min(0).max(600_000).optional(),
    /** Stop listening and drop open connections. */
    refuse: z.boolean().optional(),
    /** How long the fault lasts; forever (until cleared) when absent. */
    durationMs: z.number().int().min(1).optional(),
    /** Only the next N matching requests are affected. */
    times: z.number().int().min(1).optional(),
    /** Only requests whose path starts with this are affected. */
    pathPrefix: z.string().optional(),
  })
  .strict();

export type FaultSpec = z.infer<typeof faultSpecSchema>;

interface ActiveFault {
  spec: FaultSpec;
  until: number;
  remaining: number;
}

export interface FaultController {
  /** Replaces the current fault. */
  set(spec: FaultSpec): void;
  clear(): void;
  current(): FaultSpec | undefined;
}

/** What the sandbox is currently told to do wrong. */
export class Faults implements FaultController {
  private active: ActiveFault | undefined;

  constructor(
    private readonly onRefuse: (refuse: boolean, durationMs?: number) => void,
    private readonly now: () => number = Date.now,
  ) {}

  set(spec: FaultSpec) {
    const parsed = faultSpecSchema.parse(spec);
    const wasRefusing = this.active?.spec.refuse;
    this.active = {
      spec: parsed,
      until: parsed.durationMs ? this.now() + parsed.durationMs : Infinity,
      remaining: parsed.times ?? Infinity,
    };
    if (parsed.refuse) this.onRefuse(true, parsed.durationMs);
    else if (wasRefusing) this.onRefuse(false);
  }

  clear() {
    const wasRefusing = this.active?.spec.refuse;
    this.active = undefined;
    if (wasRefusing) this.onRefuse(false);
  }

  current(): FaultSpec | undefined {
    if (this.active && this.now() >= this.active.until) this.active = undefined;
    return this.active?.spec;
  }

  /** The fault to apply to this request, counting it against `times`. */
  take(path: string): FaultSpec | undefined {
    const spec = this.current();
    if (!spec || !this.active || (spec.pathPrefix && !path.startsWith(spec.pathPrefix))) return undefined;
    this.active.remaining--;
    if (this.active.remaining <= 0) this.active = undefined;
    return spec;
  }
}
