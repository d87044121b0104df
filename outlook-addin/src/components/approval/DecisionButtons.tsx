import { Button } from '@fluentui/react-components';
import { useApprovalStyles } from './styles.js';

/**
 * Approve at once; reject and request changes first ask for a reason. `onApproveUrgent`: offered
 * when the alert's topic lets approvers send it now instead of at its announced time.
 */
export function DecisionButtons({
  onApprove,
  onApproveUrgent,
  onAskReason,
}: {
  onApprove: () => void;
  onApproveUrgent?: () => void;
  onAskReason: (decision: 'reject' | 'request_changes') => void;
}) {
  const styles = useApprovalStyles();
  return (
    <div className={styles.actions}>
      <Button appearance="primary" onClick={onApprove} data-testid="approve">
        Approve
      </Button>
      {onApproveUrgent && (
        <Button onClick={onApproveUrgent} data-testid="approve-urgent">
          Approve, send now (urgent)
        </Button>
      )}
      <Button onClick={() => onAskReason('reject')} data-testid="reject">
        Reject
      </Button>
      <Button onClick={() => onAskReason('request_changes')} data-testid="request-changes">
        Request changes
      </Button>
    </div>
  );
}
