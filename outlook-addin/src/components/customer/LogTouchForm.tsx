import { Button, Caption1, Field, MessageBar, MessageBarBody, Textarea } from '@fluentui/react-components';
import type { CustomerContextView, LoggedTouch } from '../../types.js';
import { clamp } from '../format.js';
import { NextQuestions } from './NextQuestions.js';
import { useCustomerStyles } from './styles.js';
import type { LogTouchFormState } from './useLogTouch.js';

function loggedText(touch: LoggedTouch): string {
  if (touch.duplicate) return 'This email was already logged.';
  return touch.status === 'synced' ? 'Logged on the CRM timeline.' : 'Logged. It is on its way to the CRM timeline.';
}

/** Logs the open email as a touch, with the answers to the next questions and a note. */
export function LogTouchForm({
  questions,
  subject,
  form,
}: {
  questions: CustomerContextView['nextQuestions'];
  /** Subject of the open email, shown as the touch's summary. */
  subject?: string;
  form: LogTouchFormState;
}) {
  const styles = useCustomerStyles();
  const { state } = form;
  return (
    <form
      className={styles.section}
      onSubmit={(event) => {
        event.preventDefault();
        void form.submit();
      }}
      data-testid="log-touch"
    >
      <NextQuestions questions={questions} answers={form.answers} onAnswer={form.answer} />
      <Field label="Note for the timeline (optional)">
        <Textarea
          value={form.note}
          resize="vertical"
          onChange={(_, d) => form.setNote(d.value)}
          data-testid="touch-note"
        />
      </Field>
      <Button appearance="primary" type="submit" disabled={state.kind === 'saving'} data-testid="log-button">
        {state.kind === 'saving' ? 'Logging…' : 'Log this email as a touch'}
      </Button>
      {subject !== undefined && (
        <Caption1 className={styles.muted}>{`Summary: Email “${clamp(subject, 80)}”`}</Caption1>
      )}
      {state.kind === 'done' && (
        <MessageBar intent="success" data-testid="log-result">
          <MessageBarBody>{loggedText(state.touch)}</MessageBarBody>
        </MessageBar>
      )}
      {state.kind === 'error' && (
        <MessageBar intent="error" data-testid="log-result">
          <MessageBarBody>{state.message}</MessageBarBody>
        </MessageBar>
      )}
    </form>
  );
}
