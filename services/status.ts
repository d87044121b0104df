import type { ProviderCheck } from '../channels/checks.js';
import type { ServiceStatus, StatusReport } from '../contracts/health.js';
import { CrmError, type CrmPort } from '../crm/port.js';
import type { LeaseRow } from '../store/leases.js';

/**
 * The status report (GET /api/status): what an operator wants to know beyond "can this process
 * serve" (/readyz). The CRM and each channel: configured for real or an embedded stand-in,
 * reachable, paused by the provider (rate limit, suspended account). A CRM or channel outage is
 * reported here and never takes the process out of service: touches and alerts are stored and
 * their workflows retry until the outage ends, and pulling every replica at once would only turn
 * a degraded service into none. Checks run at most once per `cacheMs` (they spend the providers'
 * rate limits), concurrent requests share one round, each check has `timeoutMs`.
 */
export interface ServiceCheck {
  /** Set up for real (credentials in the environment); false: an embedded stand-in, or off. */
  configured: boolean;
  /** Where it goes, without credentials: a host, "embedded SMTP catcher", "off: ...". */
  target: string;
  /** Absent: the channel is off (nothing to check). */
  check?: () => Promise<ProviderCheck>;
}

export interface StatusDeps {
  store: () => Promise<unknown>;
  temporal: () => Promise<unknown>;
  crm: ServiceCheck;
  channels: { email: ServiceCheck; slack: ServiceCheck; sms: ServiceCheck };
  /** The singleton jobs' leases, and who this process is. */
  jobs?: { list: () => Promise<LeaseRow[]>; holder: string };
  cacheMs?: number;
  timeoutMs?: number;
  now?: () => number;
}

export function createStatusReporter(deps: StatusDeps) {
  const cacheMs = deps.cacheMs ?? 10_000;
  const timeoutMs = deps.timeoutMs ?? 3_000;
  const now = deps.now ?? Date.now;
  let last: { at: number; report: Promise<StatusReport> } | undefined;

  const within = <T>(work: () => Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      Promise.resolve().then(work),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  };

  async function dependency(check: () => Promise<unknown>) {
    try {
      await within(check);
      return { ok: true };
    } catch (error) {
      return { ok: false, error: firstLine(error) };
    }
  }

  async function service(s: ServiceCheck): Promise<ServiceStatus> {
    const base = { configured: s.configured, target: s.target };
    if (!s.check) return { ...base, state: 'off', reachable: null, paused: false };
    let found: ProviderCheck;
    try {
      found = await within(s.check);
    } catch (error) {
      found = { reachable: false, paused: false, problem: firstLine(error) };
    }
    const state = found.paused ? 'paused' : !found.reachable ? 'unreachable' : found.problem ? 'failing' : 'ok';
    return {
      ...base,
      state,
      reachable: found.reachable,
      paused: found.paused,
      ...(found.pausedUntil ? { pausedUntil: found.pausedUntil } : {}),
      ...(found.problem ? { problem: found.problem } : {}),
    };
  }

  async function jobs(): Promise<StatusReport['jobs']> {
    if (!deps.jobs) return [];
    const { list, holder } = deps.jobs;
    try {
      const at = now();
      return (await within(list))
        .filter((l) => Date.parse(l.expiresAt) > at)
        .map((l) => ({ name: l.name, holder: l.holder, expiresAt: l.expiresAt, here: l.holder === holder }));
    } catch {
      return [];
    }
  }

  async function round(): Promise<StatusReport> {
    const [store, temporal, crm, email, slack, sms, leases] = await Promise.all([
      dependency(deps.store),
      dependency(deps.temporal),
      service(deps.crm),
      service(deps.channels.email),
      service(deps.channels.slack),
      service(deps.channels.sms),
      jobs(),
    ]);
    const ready = store.ok && temporal.ok;
    const fine = (s: ServiceStatus) => s.state === 'ok' || s.state === 'off';
    return {
      status: ready && [crm, email, slack, sms].every(fine) ? 'ok' : 'degraded',
      ready,
      checkedAt: new Date(now()).toISOString(),
      store,
      temporal,
      crm,
      channels: { email, slack, sms },
      jobs: leases,
    };
  }

  return {
    report(): Promise<StatusReport> {
      if (!last || now() - last.at >= cacheMs) {
        const report = round();
        last = { at: now(), report };
      }
      return last.report;
    },
  };
}

export type StatusReporter = ReturnType<typeof createStatusReporter>;

/**
 * The CRM: one cheap read (one owner). A 429 is HubSpot holding us back; a refused token or
 * portal is a problem someone must fix; no answer at all is an outage.
 */
export function checkCrm(crm: Pick<CrmPort, 'ping'>): () => Promise<ProviderCheck> {
  return async () => {
    try {
      await crm.ping();
      return { reachable: true, paused: false };
    } catch (error) {
      if (!(error instanceof CrmError)) return { reachable: false, paused: false, problem: firstLine(error) };
      if (error.code === 'CRM_RATE_LIMITED')
        return {
          reachable: true,
          paused: true,
          problem: 'HubSpot rate limit',
          ...(error.retryAfterMs ? { pausedUntil: new Date(Date.now() + error.retryAfterMs).toISOString() } : {}),
        };
      if (error.code === 'CRM_UNAVAILABLE' && error.status === undefined)
        return { reachable: false, paused: false, problem: firstLine(error) };
      return { reachable: true, paused: false, problem: firstLine(error) };
    }
  };
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.slice(0, 200);
}
