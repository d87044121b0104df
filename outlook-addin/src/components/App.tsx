import { FluentProvider, MessageBar, MessageBarBody, webLightTheme } from '@fluentui/react-components';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, type RapportApi } from '../api.js';
import { findAlertId } from '../headers.js';
import type { MessageInfo, OfficeHost } from '../office.js';
import type { AddinClientConfig, ApprovalAlertView, CustomerContextView } from '../types.js';
import { ApprovalView, type ApprovalOperations } from './ApprovalView.js';
import { CustomerView, type CustomerOperations } from './CustomerView.js';
import { domainOf } from './format.js';
import { StateView, type PaneState } from './StateView.js';

export interface AppProps {
  host: OfficeHost;
  api: RapportApi;
  config: AddinClientConfig;
  /** Approvals (`approvalOperations(api)`); without them the approval view points to the email's link. */
  approvals?: ApprovalOperations;
}

type View =
  | PaneState
  | { kind: 'customer'; context: CustomerContextView; message: MessageInfo }
  | { kind: 'approval'; alertId: string; alert: ApprovalAlertView | null; error: string | null };

/** Why an approval request cannot be shown, in words. */
function approvalErrorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.kind === 'not-found' || error.kind === 'invalid') {
      return 'This approval request is not in Rapport: it may have been removed, or come from another Rapport.';
    }
    if (error.kind === 'forbidden') {
      return 'You are not an approver for this alert, so Rapport does not show it here.';
    }
    if (error.kind === 'unauthorized') return `Sign-in needed: ${error.message}`;
    if (error.kind === 'unavailable' || error.kind === 'network' || error.kind === 'server') {
      return 'Rapport is not answering right now. Try again in a moment, or use the review link in this email.';
    }
  }
  return (error as Error).message;
}

function stateFor(error: unknown): PaneState {
  if (error instanceof ApiError) {
    if (error.kind === 'unauthorized' || error.kind === 'forbidden')
      return { kind: 'signed-out', detail: error.message };
    if (error.kind === 'unavailable' || error.kind === 'network' || error.kind === 'server') {
      return {
        kind: 'unavailable',
        detail: 'Rapport or the CRM is not answering. Your email is fine; try again in a moment.',
      };
    }
  }
  return { kind: 'error', detail: (error as Error).message };
}

/** Follows the selected message (pinned pane) and shows its sender's customer context. */
export function App({ host, api, config, approvals }: AppProps) {
  const [view, setView] = useState<View>({ kind: 'loading' });
  const seq = useRef(0);

  const load = useCallback(async () => {
    const mine = ++seq.current;
    const show = (v: View) => {
      if (mine === seq.current) setView(v);
    };
    const message = host.current();
    if (!message) return show({ kind: 'no-message' });
    show({ kind: 'loading' });
    try {
      const headers = await host.internetHeaders().catch(() => null);
      const body = headers === null ? await host.bodyText().catch(() => null) : null;
      const alertId = findAlertId({ headers, subject: message.subject, body });
      if (alertId) {
        if (!approvals) return show({ kind: 'approval', alertId, alert: null, error: null });
        try {
          return show({ kind: 'approval', alertId, alert: await approvals.load(alertId), error: null });
        } catch (error) {
          return show({ kind: 'approval', alertId, alert: null, error: approvalErrorText(error) });
        }
      }
      if (!message.from) return show({ kind: 'no-sender' });
      const senderDomain = domainOf(message.from.email);
      const own = domainOf(host.userEmail());
      if ((own && senderDomain === own) || config.internalDomains.includes(senderDomain)) {
        return show({ kind: 'internal', email: message.from.email });
      }
      const context = await api.context(message.from.email);
      show({ kind: 'customer', context, message });
    } catch (error) {
      if (error instanceof ApiError && (error.kind === 'not-found' || error.kind === 'unknown-contact')) {
        return show({ kind: 'unknown', email: message.from!.email, name: message.from!.name });
      }
      show(stateFor(error));
    }
  }, [host, api, config, approvals]);

  useEffect(() => {
    void load();
    host.onItemChanged(() => void load()).catch(() => undefined);
  }, [host, load]);

  let content;
  if (view.kind === 'customer') {
    const { context, message } = view;
    const sender = message.from!.email;
    // A fresh context, once the CRM has it: the timeline then shows a logged touch, a done follow-up is gone.
    const refresh = () =>
      api.context(sender).then(
        (fresh) => setView((v) => (v.kind === 'customer' && v.message === message ? { ...v, context: fresh } : v)),
        () => undefined,
      );
    const operations: CustomerOperations = {
      logTouch: async ({ note, answers }) => {
        const summary = [`Email “${message.subject || '(no subject)'}” from ${sender}`, note]
          .filter(Boolean)
          .join('\n\n');
        const touch = await api
          .logTouch({
            contactEmail: context.contact.email ?? sender,
            channel: 'email',
            summary,
            answers,
            occurredAt: message.receivedAt ?? undefined,
            messageId: message.internetMessageId ?? message.itemId ?? undefined,
          })
          .catch((error: unknown) => {
            // The same email, logged before with other words: one email is one touch.
            if (error instanceof ApiError && error.kind === 'conflict') {
              return { id: '', status: 'synced' as const, duplicate: true, engagement: null };
            }
            throw error;
          });
        void refresh();
        return touch;
      },
      completeFollowUp: async (id) => {
        await api.completeFollowUp(id);
        // The view marks it done at once; the fresh context no longer lists it.
        void refresh();
      },
    };
    content = (
      <CustomerView
        key={context.contact.id + (message.internetMessageId ?? '')}
        context={context}
        subject={message.subject}
        operations={operations}
      />
    );
  } else if (view.kind === 'approval') {
    content = (
      <ApprovalView
        key={`${view.alertId}:${view.alert?.status ?? view.error ?? ''}`}
        alertId={view.alertId}
        alert={view.alert}
        error={view.error}
        operations={approvals}
        onRetry={view.error ? () => void load() : undefined}
      />
    );
  } else {
    content = <StateView state={view} onRetry={() => void load()} />;
  }

  return (
    <FluentProvider theme={webLightTheme}>
      {config.auth === 'dev' && (
        <MessageBar intent="error" data-testid="dev-auth-banner">
          <MessageBarBody>
            {`DEVELOPMENT SIGN-IN — acting as ${config.devUser ?? 'the development user'}. Not for production.`}
          </MessageBarBody>
        </MessageBar>
      )}
      {content}
    </FluentProvider>
  );
}
