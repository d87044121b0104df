import {
  Badge,
  Button,
  Caption1,
  Card,
  CardHeader,
  Field,
  makeStyles,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Subtitle2,
  Text,
  Textarea,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import { ApiError } from '../api.js';
import type { ApprovalAlertView, ApprovalAudience, DecisionInput, DecisionKind } from '../types.js';
import { h, tid } from './h.js';

export type { ApprovalAlertView } from '../types.js';

/** What the view can do; App builds it from the API (`approvalOperations`). Both resolve to the alert's fresh state. */
export interface ApprovalOperations {
  load(alertId: string): Promise<ApprovalAlertView>;
  decide(alertId: string, input: DecisionInput): Promise<ApprovalAlertView>;
}

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, padding: tokens.spacingHorizontalM },
  preview: { whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
  muted: { color: tokens.colorNeutralForeground3 },
});

const REASON_WORDS: Record<string, string> = {
  DUPLICATE_CONTACT: 'same contact on several lists',
  DUPLICATE_EMAIL: 'same email address on another record',
  OPTED_OUT: 'opted out',
  INVALID_EMAIL: 'email bounced or invalid',
  NO_USABLE_ADDRESS: 'no usable address for the channel',
  FREQUENCY_CAP: 'had too many alerts lately',
};

const CHANNEL_WORDS: Record<string, string> = { email: 'Email', slack: 'Slack', sms: 'SMS' };

const STATUS_WORDS: Record<string, string> = {
  resolving: 'Rapport is still working out the audience. Try again in a moment.',
  awaiting_approval: 'Waiting for approval.',
  changes_requested: 'Changes were requested; waiting for the requester’s revision.',
  rejected: 'Rejected: nothing will be sent.',
  expired: 'The approval request expired: nothing will be sent.',
  approved: 'Approved: sending starts now.',
  dispatching: 'Approved: sending now.',
  following_up: 'Approved and sent: collecting responses.',
  completed: 'Approved, sent and completed.',
  cancelled: 'Cancelled: no further sends.',
  failed: 'The alert failed; see Rapport for details.',
};

const DECISION_WORDS: Record<DecisionKind, string> = {
  approve: 'Approved',
  reject: 'Rejected',
  request_changes: 'Changes requested',
};

const n = (v: number) => v.toLocaleString('en-US');
const plural = (v: number, one: string, many = `${one}s`) => `${n(v)} ${v === 1 ? one : many}`;

/** Reject and request changes need a reason; null when the decision may be sent. */
export function reasonProblem(decision: DecisionKind, reason: string): string | null {
  if (decision === 'approve') return null;
  return reason.trim() === ''
    ? `A reason is required to ${decision === 'reject' ? 'reject' : 'request changes'}.`
    : null;
}

/** Words for a failed decision; the server's message is shown as text. */
export function decisionErrorText(error: unknown): string {
  if (error instanceof ApiError) {
    switch (error.kind) {
      case 'forbidden':
        return `You cannot decide on this alert: ${error.message}.`;
      case 'conflict':
        return `Already decided: ${error.message}.`;
      case 'gone':
        return 'This approval request has expired; nothing will be sent.';
      case 'not-found':
        return 'This alert is no longer in Rapport.';
      case 'unauthorized':
        return `Sign-in needed: ${error.message}`;
      case 'network':
      case 'unavailable':
      case 'server':
        return 'Rapport is not answering, so nothing was decided. Try again in a moment.';
      default:
        return error.message;
    }
  }
  return (error as Error).message;
}

/** The audience summary: who gets it, on which channels, and who does not and why. */
export function audienceLines(a: ApprovalAudience) {
  const channelMix = Object.entries(a.channelMix)
    .filter(([, v]) => v > 0)
    .map(([c, v]) => `${CHANNEL_WORDS[c] ?? c} ${n(v)}`);
  const suppressed = Object.entries(a.suppressedByReason)
    .filter(([, v]) => v > 0)
    .map(([r, v]) => `${n(v)} ${REASON_WORDS[r] ?? r}`);
  const policySuppressed = a.uniqueContacts - a.deliveries;
  return {
    headline: `${plural(a.deliveries, 'recipient')} will receive it`,
    from: `${plural(a.totalMemberships, 'list membership')} on ${plural(a.lists.length, 'list')} → ${plural(a.uniqueContacts, 'unique contact')}`,
    duplicates: `${plural(a.duplicates, 'duplicate')} removed`,
    policySuppressed: `${n(policySuppressed)} not reached`,
    channelMix: channelMix.length ? channelMix.join(' · ') : 'no deliveries',
    suppressed,
    delayed:
      a.delayedByQuietHours > 0
        ? `${plural(a.delayedByQuietHours, 'delivery', 'deliveries')} wait for quiet hours to end`
        : null,
  };
}

function AudienceSummary({ audience }: { audience: ApprovalAudience }) {
  const styles = useStyles();
  const l = audienceLines(audience);
  return h(
    'div',
    { className: styles.section, ...tid('approval-audience') },
    h(Text, { weight: 'semibold', ...tid('approval-recipients') }, l.headline),
    h(Caption1, { className: styles.muted }, l.from),
    h(Text, { ...tid('approval-duplicates') }, `${l.duplicates} · ${l.policySuppressed}`),
    l.suppressed.length > 0 && h(Caption1, { className: styles.muted }, 'Not sent to, and why:'),
    l.suppressed.length > 0 &&
      h(
        'ul',
        { className: styles.list, ...tid('approval-suppressed') },
        ...l.suppressed.map((s) => h('li', { key: s }, h(Caption1, null, s))),
      ),
    h(
      'div',
      { className: styles.actions, ...tid('approval-channels') },
      h(Caption1, { className: styles.muted }, 'Channels:'),
      ...Object.entries(audience.channelMix)
        .filter(([, v]) => v > 0)
        .map(([c, v]) => h(Badge, { key: c, appearance: 'tint' }, `${CHANNEL_WORDS[c] ?? c} ${n(v)}`)),
      Object.values(audience.channelMix).every((v) => v === 0) && h(Caption1, null, 'no deliveries'),
    ),
    l.delayed && h(Caption1, { className: styles.muted }, l.delayed),
  );
}

function CurrentState({ alert }: { alert: ApprovalAlertView }) {
  const d = alert.decision;
  if (d) {
    const intent = d.decision === 'approve' ? 'success' : d.decision === 'reject' ? 'error' : 'warning';
    return h(
      MessageBar,
      { intent, layout: 'multiline', ...tid('approval-state'), 'data-status': alert.status } as object,
      h(
        MessageBarBody,
        null,
        h(MessageBarTitle, null, `${DECISION_WORDS[d.decision]} by ${d.by}`),
        h(Text, null, [d.reason ? `Reason: ${d.reason}` : null, STATUS_WORDS[alert.status]].filter(Boolean).join(' ')),
      ),
    );
  }
  return h(
    MessageBar,
    { intent: 'info', layout: 'multiline', ...tid('approval-state'), 'data-status': alert.status } as object,
    h(MessageBarBody, null, STATUS_WORDS[alert.status] ?? `Status: ${alert.status}`),
  );
}

type Busy = { kind: 'idle' } | { kind: 'reason'; decision: 'reject' | 'request_changes' } | { kind: 'saving' };

/**
 * The approval request opened in Outlook: preview, audience, requester, and Approve / Reject /
 * Request changes for an approver while it waits; the current state (who decided) otherwise.
 * Takes the alert as props; `operations` talk to Rapport.
 */
export function ApprovalView(props: {
  alertId: string;
  alert: ApprovalAlertView | null;
  /** Why the alert could not be loaded (friendly text). */
  error?: string | null;
  operations?: ApprovalOperations;
  onRetry?: () => void;
  /** Open the reason form at once (reject / request changes). */
  initialAction?: 'reject' | 'request_changes';
}) {
  const styles = useStyles();
  const { operations } = props;
  const [alert, setAlert] = useState<ApprovalAlertView | null>(props.alert);
  const [busy, setBusy] = useState<Busy>(
    props.initialAction ? { kind: 'reason', decision: props.initialAction } : { kind: 'idle' },
  );
  const [reason, setReason] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [touched, setTouched] = useState(false);

  if (!alert) {
    return h(
      'div',
      { className: styles.root, ...tid('approval-view') },
      h(Subtitle2, null, 'Rapport approval request'),
      h(Caption1, null, `Alert ${props.alertId}`),
      h(
        MessageBar,
        { intent: props.error ? 'warning' : 'info', layout: 'multiline', ...tid('approval-error') },
        h(MessageBarBody, null, props.error ?? 'Use the review link in this email to approve or reject.'),
      ),
      props.onRetry && h(Button, { onClick: props.onRetry, appearance: 'secondary' }, 'Try again'),
    );
  }

  const decide = async (input: DecisionInput) => {
    if (!operations) return;
    setBusy({ kind: 'saving' });
    setMessage(null);
    try {
      setAlert(await operations.decide(alert.id, input));
      setBusy({ kind: 'idle' });
    } catch (error) {
      setMessage(decisionErrorText(error));
      setBusy({ kind: 'idle' });
      // Someone else was quicker (or the request expired): show the state as it is now.
      if (error instanceof ApiError && (error.kind === 'conflict' || error.kind === 'gone')) {
        operations.load(alert.id).then(setAlert, () => undefined);
      }
    }
  };

  const problem = busy.kind === 'reason' ? reasonProblem(busy.decision, reason) : null;
  const canAct = alert.you.canDecide && alert.status === 'awaiting_approval' && operations;

  return h(
    'div',
    { className: styles.root, ...tid('approval-view'), 'data-alert-id': alert.id } as object,
    h(
      Card,
      null,
      h(CardHeader, {
        header: h(Subtitle2, { ...tid('approval-title') }, alert.title),
        description: h(
          Caption1,
          { ...tid('approval-requester') },
          `Requested by ${alert.requester} · topic ${alert.topic} · version ${alert.version}`,
        ),
      }),
      h(Text, { className: styles.preview, ...tid('approval-preview') }, alert.preview),
    ),
    alert.audience
      ? h(AudienceSummary, { audience: alert.audience })
      : h(Caption1, { className: styles.muted }, 'The audience is still being worked out.'),
    h(CurrentState, { alert }),
    message && h(MessageBar, { intent: 'error', ...tid('approval-message') }, h(MessageBarBody, null, message)),
    alert.you.role === 'requester' &&
      alert.status === 'awaiting_approval' &&
      h(Caption1, { className: styles.muted }, 'You requested this alert: another approver decides (four eyes).'),
    canAct &&
      busy.kind === 'idle' &&
      h(
        'div',
        { className: styles.actions },
        h(
          Button,
          {
            appearance: 'primary',
            onClick: () => void decide({ decision: 'approve', version: alert.version }),
            ...tid('approve'),
          },
          'Approve',
        ),
        h(
          Button,
          { onClick: () => (setTouched(false), setBusy({ kind: 'reason', decision: 'reject' })), ...tid('reject') },
          'Reject',
        ),
        h(
          Button,
          {
            onClick: () => (setTouched(false), setBusy({ kind: 'reason', decision: 'request_changes' })),
            ...tid('request-changes'),
          },
          'Request changes',
        ),
      ),
    canAct &&
      busy.kind === 'reason' &&
      h(
        'form',
        {
          className: styles.section,
          ...tid('reason-form'),
          onSubmit: (e: { preventDefault(): void }) => {
            e.preventDefault();
            setTouched(true);
            if (!problem) void decide({ decision: busy.decision, reason: reason.trim(), version: alert.version });
          },
        },
        h(
          Field,
          {
            label: busy.decision === 'reject' ? 'Why reject? (required)' : 'What should change? (required)',
            required: true,
            validationState: touched && problem ? 'error' : 'none',
            validationMessage: problem ?? undefined,
          },
          h(Textarea, {
            value: reason,
            resize: 'vertical',
            onChange: (_: unknown, d: { value: string }) => setReason(d.value),
            ...tid('reason'),
          }),
        ),
        h(
          'div',
          { className: styles.actions },
          h(
            Button,
            { appearance: 'primary', type: 'submit', disabled: problem !== null, ...tid('confirm-decision') },
            busy.decision === 'reject' ? 'Reject' : 'Request changes',
          ),
          h(Button, { onClick: () => setBusy({ kind: 'idle' }) }, 'Cancel'),
        ),
      ),
    busy.kind === 'saving' && h(Spinner, { size: 'tiny', label: 'Sending your decision…' }),
  );
}
