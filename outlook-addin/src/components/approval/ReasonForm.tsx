import { Button, Field, Textarea } from '@fluentui/react-components';
import { useState } from 'react';
import { useApprovalStyles } from './styles.js';
import { reasonProblem } from './wording.js';

/** The required reason for a rejection or a change request; confirms only with one. */
export function ReasonForm({
  decision,
  reason,
  onReasonChange,
  onConfirm,
  onCancel,
}: {
  decision: 'reject' | 'request_changes';
  reason: string;
  onReasonChange: (reason: string) => void;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const styles = useApprovalStyles();
  // The field turns red only once the approver tried to confirm.
  const [touched, setTouched] = useState(false);
  const problem = reasonProblem(decision, reason);
  return (
    <form
      className={styles.section}
      data-testid="reason-form"
      onSubmit={(event) => {
        event.preventDefault();
        setTouched(true);
        if (!problem) onConfirm();
      }}
    >
      <Field
        label={decision === 'reject' ? 'Why reject? (required)' : 'What should change? (required)'}
        required
        validationState={touched && problem ? 'error' : 'none'}
        validationMessage={problem ?? undefined}
      >
        <Textarea value={reason} resize="vertical" onChange={(_, d) => onReasonChange(d.value)} data-testid="reason" />
      </Field>
      <div className={styles.actions}>
        <Button appearance="primary" type="submit" disabled={problem !== null} data-testid="confirm-decision">
          {decision === 'reject' ? 'Reject' : 'Request changes'}
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </form>
  );
}
