/// <reference types="office-js" />

/**
 * The one module that touches Office.js: its callbacks become promises here, and everything
 * else in the pane works on plain data through the OfficeHost interface (tests stub it).
 *
 * Requirement sets used (keep manifest.xml in step; test/unit/scripts/addin-manifest.test.ts checks):
 *   Mailbox 1.1  item.from, subject, internetMessageId, userProfile
 *   Mailbox 1.3  item.body.getAsync (text)           -- manifest VersionOverridesV1_0
 *   Mailbox 1.5  addHandlerAsync(ItemChanged)          -- manifest VersionOverridesV1_1 (pinning)
 *   Mailbox 1.8  item.getAllInternetHeadersAsync       -- only when isSetSupported('Mailbox', '1.8')
 *   NestedAppAuth 1.1 (MSAL NAA)                       -- only when isSetSupported('NestedAppAuth', '1.1')
 */
export interface OfficeHost {
  current(): MessageInfo | null;
  /** Raw internet header block, or null when the host cannot read headers. */
  internetHeaders(): Promise<string | null>;
  bodyText(): Promise<string | null>;
  /** For the pinned pane: called whenever the selected message changes. */
  onItemChanged(handler: () => void): Promise<void>;
  userEmail(): string | null;
  supports(set: string, version: string): boolean;
}

/** The open message, as far as the pane cares. */
export interface MessageInfo {
  itemId: string | null;
  subject: string;
  from: { email: string; name: string | null } | null;
  internetMessageId: string | null;
  receivedAt: string | null;
}

type AsyncResult<T> = { status: Office.AsyncResultStatus | string; value: T; error?: { message: string } };

function promised<T>(start: (callback: (result: AsyncResult<T>) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    start((result) => {
      if (result.status === 'succeeded' || result.status === Office.AsyncResultStatus?.Succeeded) resolve(result.value);
      else reject(new Error(result.error?.message ?? 'Office call failed'));
    });
  });
}

/** Waits for Office.js; rejects when the page is not running inside an Office host. */
export async function officeReady(timeoutMs = 10_000): Promise<OfficeHost> {
  if (typeof Office === 'undefined') throw new Error('Office.js did not load');
  const info = await Promise.race([
    Office.onReady(),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('Office did not become ready')), timeoutMs)),
  ]);
  if (info.host !== Office.HostType.Outlook) {
    throw new Error('Rapport runs inside Outlook');
  }
  return officeHost();
}

export function officeHost(): OfficeHost {
  const mailbox = () => Office.context.mailbox;
  const item = () => mailbox().item as Office.MessageRead | undefined | null;
  const supports = (set: string, version: string) => Office.context.requirements?.isSetSupported(set, version) === true;

  return {
    current() {
      const it = item();
      if (!it) return null;
      const from = it.from as Office.EmailAddressDetails | undefined;
      return {
        itemId: it.itemId ?? null,
        subject: typeof it.subject === 'string' ? it.subject : '',
        from: from?.emailAddress ? { email: from.emailAddress, name: from.displayName || null } : null,
        internetMessageId: it.internetMessageId ?? null,
        receivedAt: it.dateTimeCreated ? new Date(it.dateTimeCreated).toISOString() : null,
      };
    },
    async internetHeaders() {
      const it = item();
      if (!it || !supports('Mailbox', '1.8')) return null;
      return promised<string>((cb) => it.getAllInternetHeadersAsync(cb));
    },
    async bodyText() {
      const it = item();
      if (!it?.body) return null;
      return promised<string>((cb) => it.body.getAsync(Office.CoercionType.Text, cb));
    },
    async onItemChanged(handler) {
      await promised<void>((cb) => mailbox().addHandlerAsync(Office.EventType.ItemChanged, handler, cb));
    },
    userEmail: () => mailbox().userProfile?.emailAddress ?? null,
    supports,
  };
}
