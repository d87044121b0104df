import { MessageBar, MessageBarBody, MessageBarTitle, Text } from '@fluentui/react-components';
import type { ApprovalAlertView } from '../../types.js';
import { DECISION_WORDS, STATUS_WORDS } from './wording.js';

/** Where the alert stands: who decided and why, or the status in words. */
export function ApprovalStatus({ alert }: { alert: ApprovalAlertView }) {
  const d = alert.decision;
  if (!d) {
    return (
      <MessageBar intent="info" layout="multiline" data-testid="approval-state" data-status={alert.status}>
        <MessageBarBody>{STATUS_WORDS[alert.status] ?? `Status: ${alert.status}`}</MessageBarBody>
      </MessageBar>
    );
  }
  const intent = d.decision === 'approve' ? 'success' : d.decision === 'reject' ? 'error' : 'warning';
  return (
    <MessageBar intent={intent} layout="multiline" data-testid="approval-state" data-status={alert.status}>
      <MessageBarBody>
        <MessageBarTitle>{`${DECISION_WORDS[d.decision]} by ${d.by}`}</MessageBarTitle>
        <Text>{[d.reason ? `Reason: ${d.reason}` : null, STATUS_WORDS[alert.status]].filter(Boolean).join(' ')}</Text>
      </MessageBarBody>
    </MessageBar>
  );
}
