import {
  Badge,
  Button,
  Caption1,
  Card,
  CardHeader,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Subtitle2,
  Text,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import { h, tid } from './h.js';

/**
 * The approval request as the pane shows it. The broadcast engine will provide this; the
 * view takes it as props and knows nothing of where it came from.
 */
export interface ApprovalAlertView {
  id: string;
  title: string;
  preview: string;
  requestedBy: string;
  status: 'awaiting_approval' | 'approved' | 'rejected' | 'expired' | string;
  channels: string[];
  audience: { recipients: number; duplicatesRemoved: number; suppressed: number };
}

export interface ApprovalOperations {
  approve(alertId: string): Promise<void>;
  reject(alertId: string, reason: string): Promise<void>;
}

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, padding: tokens.spacingHorizontalM },
  preview: { whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS },
});

export function ApprovalView(props: {
  alertId: string;
  alert: ApprovalAlertView | null;
  operations?: ApprovalOperations;
}) {
  const styles = useStyles();
  const [outcome, setOutcome] = useState<string | null>(null);
  const { alert, operations } = props;
  if (!alert) {
    return h(
      'div',
      { className: styles.root, ...tid('approval-view') },
      h(Subtitle2, null, 'Rapport approval request'),
      h(Caption1, null, `Alert ${props.alertId}`),
      h(
        MessageBar,
        { intent: 'info' },
        h(MessageBarBody, null, 'Use the review link in this email to approve or reject.'),
      ),
    );
  }
  const act = (run: () => Promise<void>, done: string) =>
    void run().then(
      () => setOutcome(done),
      (e: Error) => setOutcome(e.message),
    );
  return h(
    'div',
    { className: styles.root, ...tid('approval-view') },
    h(
      Card,
      null,
      h(CardHeader, {
        header: h(Subtitle2, null, alert.title),
        description: h(Caption1, null, `Requested by ${alert.requestedBy}`),
      }),
      h(Text, { className: styles.preview }, alert.preview),
      h(
        Caption1,
        null,
        `${alert.audience.recipients} recipients · ${alert.audience.duplicatesRemoved} duplicates removed · ${alert.audience.suppressed} suppressed`,
      ),
      h(
        'div',
        { className: styles.actions },
        ...alert.channels.map((c) => h(Badge, { key: c, appearance: 'tint' }, c)),
      ),
    ),
    outcome
      ? h(MessageBar, { intent: 'info' }, h(MessageBarBody, null, outcome))
      : alert.status === 'awaiting_approval' && operations
        ? h(
            'div',
            { className: styles.actions },
            h(
              Button,
              {
                appearance: 'primary',
                onClick: () => act(() => operations.approve(alert.id), 'Approved: sending now.'),
              },
              'Approve and send',
            ),
            h(
              Button,
              { onClick: () => act(() => operations.reject(alert.id, 'Rejected in Outlook'), 'Rejected.') },
              'Reject',
            ),
          )
        : h(Caption1, null, `Status: ${alert.status}`),
  );
}
