/**
 * An Office.js host stand-in for the task pane in headless Chromium: served in place of
 * https://appsforoffice.microsoft.com/lib/1/hosted/office.js. It holds a list of messages;
 * `window.__office.select(i)` changes the selected one and fires ItemChanged like a pinned pane;
 * `window.__office.add(message)` files a new one (returns its index).
 */
export interface StubMessage {
  subject: string;
  from: { emailAddress: string; displayName: string } | null;
  internetMessageId: string;
  headers?: string;
  body?: string;
}

export function officeStubScript(options: { messages: StubMessage[]; user: string; mailboxVersion?: string }): string {
  return `(() => {
  const state = ${JSON.stringify({ ...options, mailboxVersion: options.mailboxVersion ?? '1.13' })};
  let index = 0;
  const handlers = [];
  const ok = (value) => ({ status: 'succeeded', value });
  const makeItem = (m, i) => m && ({
    itemId: 'AAMk-stub-' + i,
    itemType: 'message',
    subject: m.subject,
    from: m.from,
    internetMessageId: m.internetMessageId,
    dateTimeCreated: new Date(Date.now() - 3600 * 1000),
    getAllInternetHeadersAsync(cb) { setTimeout(() => cb(ok(m.headers || 'From: ' + (m.from ? m.from.emailAddress : '') + '\\r\\nSubject: ' + m.subject + '\\r\\n')), 5); },
    body: { getAsync(_type, cb) { setTimeout(() => cb(ok(m.body || '')), 5); } },
  });
  const cmp = (a, b) => { const x = a.split('.').map(Number), y = b.split('.').map(Number); return x[0] - y[0] || (x[1] || 0) - (y[1] || 0); };
  window.__office = {
    select(i) { index = i; for (const h of handlers) h({ type: 'olkItemSelectedChanged' }); },
    add(m) { state.messages.push(m); return state.messages.length - 1; },
    selectNone() { index = -1; for (const h of handlers) h({ type: 'olkItemSelectedChanged' }); },
    handlerCount: () => handlers.length,
  };
  window.Office = {
    HostType: { Outlook: 'Outlook' },
    PlatformType: { OfficeOnline: 'OfficeOnline' },
    AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' },
    CoercionType: { Text: 'text', Html: 'html' },
    EventType: { ItemChanged: 'olkItemSelectedChanged' },
    onReady(cb) { const info = { host: 'Outlook', platform: 'OfficeOnline' }; if (cb) cb(info); return Promise.resolve(info); },
    context: {
      requirements: { isSetSupported: (name, version) => name === 'Mailbox' && cmp(version || '1.1', state.mailboxVersion) <= 0 },
      mailbox: {
        get item() { return index < 0 ? null : makeItem(state.messages[index], index); },
        userProfile: { emailAddress: state.user, displayName: 'Rep' },
        addHandlerAsync(type, handler, cb) { if (type === 'olkItemSelectedChanged') handlers.push(handler); if (cb) cb(ok(undefined)); },
      },
    },
  };
})();`;
}
