import { Button, Caption1, MessageBar, MessageBarBody, Subtitle2 } from '@fluentui/react-components';
import { useApprovalStyles } from './styles.js';

/** An approval request the pane cannot show: why, or a pointer to the email's review link. */
export function ApprovalUnavailable({
  alertId,
  error,
  onRetry,
}: {
  alertId: string;
  error?: string | null;
  onRetry?: () => void;
}) {
  const styles = useApprovalStyles();
  return (
    <div className={styles.root} data-testid="approval-view">
      <Subtitle2>Rapport approval request</Subtitle2>
      <Caption1>{`Alert ${alertId}`}</Caption1>
      <MessageBar intent={error ? 'warning' : 'info'} layout="multiline" data-testid="approval-error">
        <MessageBarBody>{error ?? 'Use the review link in this email to approve or reject.'}</MessageBarBody>
      </MessageBar>
      {onRetry && (
        <Button onClick={onRetry} appearance="secondary">
          Try again
        </Button>
      )}
    </div>
  );
}
