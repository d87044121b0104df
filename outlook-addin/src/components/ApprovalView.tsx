import { Caption1, Link, MessageBar, MessageBarBody, Spinner } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { ApiError } from '../api.js';
import type { ApprovalAlertView, DecisionInput, LiveSummaryView } from '../types.js';
import { ApprovalRequestCard } from './approval/ApprovalRequestCard.js';
import { ApprovalStatus } from './approval/ApprovalStatus.js';
import { ApprovalUnavailable } from './approval/ApprovalUnavailable.js';
import { AudienceSummary } from './approval/AudienceSummary.js';
import { DecisionButtons } from './approval/DecisionButtons.js';
import { LiveSummaryCard } from './approval/LiveSummaryCard.js';
import { ReasonForm } from './approval/ReasonForm.js';
import { useApprovalStyles } from './approval/styles.js';
import { audienceLines, decisionErrorText } from './approval/wording.js';

/** What the view can do; App builds it from the API (`approvalOperations`). Both resolve to the alert's fresh state. */
export interface ApprovalOperations {
  load(alertId: string): Promise<ApprovalAlertView>;
  decide(alertId: string, input: DecisionInput): Promise<ApprovalAlertView>;
  /** The person's alerts in flight (GET /api/addin/summary); absent: no summary shown. */
  summary?(): Promise<LiveSummaryView>;
}

/** How often the open pane reads the live summary again: one small request, no polling storm. */
export const SUMMARY_REFRESH_MS = 15_000;

export interface ApprovalViewProps {
  alertId: string;
  alert: ApprovalAlertView | null;
  /** Why the alert could not be loaded (friendly text). */
  error?: string | null;
  operations?: ApprovalOperations;
  onRetry?: () => void;
  /** Open the reason form at once (reject / request changes). */
  initialAction?: 'reject' | 'request_changes';
  /** The live summary as first shown (tests, server rendering); else loaded through `operations.summary`. */
  summary?: LiveSummaryView | null;
}

type Busy = { kind: 'idle' } | { kind: 'reason'; decision: 'reject' | 'request_changes' } | { kind: 'saving' };

/**
 * The approval request opened in Outlook: preview, audience, requester, and Approve / Reject /
 * Request changes for an approver while it waits; the current state (who decided) otherwise.
 * Takes the alert as props; `operations` talk to Rapport.
 */
export function ApprovalView(props: ApprovalViewProps) {
  const styles = useApprovalStyles();
  const { operations } = props;
  const [alert, setAlert] = useState<ApprovalAlertView | null>(props.alert);
  const [busy, setBusy] = useState<Busy>(
    props.initialAction ? { kind: 'reason', decision: props.initialAction } : { kind: 'idle' },
  );
  // Kept here, not in the reason form, so a cancelled reason is still there when the form reopens.
  const [reason, setReason] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [summary, setSummary] = useState<LiveSummaryView | null>(props.summary ?? null);

  // Loaded when the pane opens, again every SUMMARY_REFRESH_MS while it stays open and after a
  // decision; a failed read keeps what is shown (the summary is a convenience, not the task).
  useEffect(() => {
    const load = operations?.summary?.bind(operations);
    if (!load) return undefined;
    let live = true;
    const read = () =>
      load().then(
        (s) => live && setSummary(s),
        () => undefined,
      );
    void read();
    const timer = setInterval(() => void read(), SUMMARY_REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [operations, alert?.status]);

  if (!alert) return <ApprovalUnavailable alertId={props.alertId} error={props.error} onRetry={props.onRetry} />;

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

  const canAct = alert.you.canDecide && alert.status === 'awaiting_approval' && operations;

  return (
    <div className={styles.root} data-testid="approval-view" data-alert-id={alert.id}>
      {summary && <LiveSummaryCard summary={summary} />}
      <ApprovalRequestCard alert={alert} />
      {alert.audience ? (
        <AudienceSummary audience={alert.audience} />
      ) : (
        <Caption1 className={styles.muted}>The audience is still being worked out.</Caption1>
      )}
      <ApprovalStatus alert={alert} />
      {message && (
        <MessageBar intent="error" data-testid="approval-message">
          <MessageBarBody>{message}</MessageBarBody>
        </MessageBar>
      )}
      {alert.you.role === 'requester' && alert.status === 'awaiting_approval' && (
        <Caption1 className={styles.muted}>You requested this alert: another approver decides (four eyes).</Caption1>
      )}
      {canAct && busy.kind === 'idle' && (
        <DecisionButtons
          onApprove={() => void decide({ decision: 'approve', version: alert.version })}
          {...(alert.audience && audienceLines(alert.audience).urgentOffered
            ? { onApproveUrgent: () => void decide({ decision: 'approve', version: alert.version, urgent: true }) }
            : {})}
          onAskReason={(decision) => setBusy({ kind: 'reason', decision })}
        />
      )}
      {canAct && busy.kind === 'reason' && (
        <ReasonForm
          decision={busy.decision}
          reason={reason}
          onReasonChange={setReason}
          onConfirm={() => void decide({ decision: busy.decision, reason: reason.trim(), version: alert.version })}
          onCancel={() => setBusy({ kind: 'idle' })}
        />
      )}
      {busy.kind === 'saving' && <Spinner size="tiny" label="Sending your decision…" />}
      {alert.trailUrl && (
        <Caption1>
          <Link href={alert.trailUrl} target="_blank" rel="noreferrer" data-testid="trail-link">
            See the trail: approvals, deliveries, responses and tasks
          </Link>
        </Caption1>
      )}
    </div>
  );
}
