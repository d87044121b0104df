import { Button } from '@fluentui/react-components';
import { useApprovalStyles } from './styles.js';

/** Approve at once; reject and request changes first ask for a reason. */
export function DecisionButtons({
  onApprove,
  onAskReason,
}: {
  onApprove: () => void;
  onAskReason: (decision: 'reject' | 'request_changes') => void;
}) {
  const styles = useApprovalStyles();
  return (
    <div className={styles.actions}>
      <Button appearance="primary" onClick={onApprove} data-testid="approve">
        Approve
      </Button>
      <Button onClick={() => onAskReason('reject')} data-testid="reject">
        Reject
      </Button>
      <Button onClick={() => onAskReason('request_changes')} data-testid="request-changes">
        Request changes
      </Button>
    </div>
  );
}
