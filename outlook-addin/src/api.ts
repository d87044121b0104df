import type {
  ApprovalAlertView,
  CustomerContextView,
  DecisionInput,
  DecisionOutcome,
  LoggedTouch,
  LogTouchInput,
  LiveSummaryView,
} from './types.js';

export type ApiErrorKind =
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'unknown-contact'
  | 'invalid'
  | 'conflict'
  | 'gone'
  | 'unavailable'
  | 'network'
  | 'server';

/** A failed call, sorted into what the pane shows; `message` is the server's, safe to display as text. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly status?: number,
    readonly field?: string,
    /** The whole error body (a 409 on a decision says who decided). */
    readonly body?: unknown,
  ) {
    super(message);
  }
}

export interface TokenSource {
  getToken(options?: { forceRefresh?: boolean }): Promise<string>;
}

export interface RapportApi {
  context(email: string): Promise<CustomerContextView>;
  logTouch(input: LogTouchInput): Promise<LoggedTouch>;
  touch(id: string): Promise<LoggedTouch>;
  /** Marks a follow-up (CRM task) done; done already is fine. */
  completeFollowUp(id: string): Promise<void>;
  /** An approval request (the alert as its approvers see it). */
  alert(id: string): Promise<ApprovalAlertView>;
  /** Decides as the signed-in user: the server takes the approver from the token. */
  decide(id: string, input: DecisionInput): Promise<DecisionOutcome>;
  /** The signed-in person's alerts in flight (pending approval, sending, done today). */
  summary(): Promise<LiveSummaryView>;
}

const KIND_BY_STATUS: Record<number, ApiErrorKind> = {
  400: 'invalid',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  410: 'gone',
  422: 'unknown-contact',
  503: 'unavailable',
  502: 'unavailable',
  504: 'unavailable',
};

export function createApi(options: {
  baseUrl?: string;
  tokens: TokenSource;
  fetch?: typeof fetch;
  timeoutMs?: number;
}): RapportApi {
  const base = options.baseUrl ?? '';
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));

  async function call<T>(path: string, init: RequestInit = {}, retried = false): Promise<T> {
    let token: string;
    try {
      token = await options.tokens.getToken({ forceRefresh: retried });
    } catch (error) {
      throw new ApiError('unauthorized', `could not sign in: ${(error as Error).message}`);
    }
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(init.headers ?? {}) },
        signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
      });
    } catch {
      throw new ApiError('network', 'Rapport cannot be reached');
    }
    if (res.status === 401 && !retried) return call<T>(path, init, true);
    const body = (await res.json().catch(() => null)) as { error?: { message?: string; field?: string } } | null;
    if (!res.ok) {
      const kind = KIND_BY_STATUS[res.status] ?? (res.status >= 500 ? 'server' : 'invalid');
      throw new ApiError(
        kind,
        body?.error?.message ?? `Rapport answered ${res.status}`,
        res.status,
        body?.error?.field,
        body,
      );
    }
    return body as T;
  }

  return {
    context: (email) => call(`/api/addin/context?email=${encodeURIComponent(email)}`),
    logTouch: (input) =>
      call('/api/addin/touches', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input),
      }),
    touch: (id) => call(`/api/addin/touches/${encodeURIComponent(id)}`),
    completeFollowUp: async (id) => {
      await call(`/api/addin/follow-ups/${encodeURIComponent(id)}/complete`, { method: 'POST' });
    },
    alert: (id) => call(`/api/addin/alerts/${encodeURIComponent(id)}`),
    decide: (id, input) =>
      call(`/api/addin/alerts/${encodeURIComponent(id)}/decision`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input),
      }),
    summary: () => call('/api/addin/summary'),
  };
}

/** The approval view's operations on top of the API (App's `approvals` prop). */
export function approvalOperations(api: Pick<RapportApi, 'alert' | 'decide' | 'summary'>) {
  return {
    load: (alertId: string) => api.alert(alertId),
    summary: () => api.summary(),
    decide: async (alertId: string, input: DecisionInput) => (await api.decide(alertId, input)).alert,
  };
}
