import {
  Button,
  makeStyles,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  tokens,
} from '@fluentui/react-components';
import type { ReactNode } from 'react';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, padding: tokens.spacingHorizontalM },
});

export type PaneState =
  | { kind: 'loading' }
  | { kind: 'no-message' }
  | { kind: 'no-sender' }
  | { kind: 'internal'; email: string }
  | { kind: 'unknown'; email: string; name: string | null }
  | { kind: 'unavailable'; detail: string }
  | { kind: 'signed-out'; detail: string }
  | { kind: 'error'; detail: string };

/** The friendly states around the customer view: nothing here is an error page. */
export function StateView({ state, onRetry }: { state: PaneState; onRetry?: () => void }) {
  const styles = useStyles();
  const retry = onRetry && (
    <Button onClick={onRetry} appearance="secondary">
      Try again
    </Button>
  );
  const bar = (intent: 'info' | 'warning' | 'error', title: string, body: string, action?: ReactNode) => (
    <div className={styles.root} data-testid={`state-${state.kind}`}>
      <MessageBar intent={intent} layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>{title}</MessageBarTitle>
          <Text>{body}</Text>
        </MessageBarBody>
      </MessageBar>
      {action ?? null}
    </div>
  );
  switch (state.kind) {
    case 'loading':
      return (
        <div className={styles.root} data-testid="state-loading">
          <Spinner label="Looking up the customer…" />
        </div>
      );
    case 'no-message':
      return bar('info', 'Select a message', 'Pin this pane and select an email to see who wrote it.');
    case 'no-sender':
      return bar('info', 'No sender', 'This message has no sender Rapport can look up.');
    case 'internal':
      return bar(
        'info',
        'A colleague',
        `${state.email} is inside your organisation, so there is no customer record to show.`,
      );
    case 'unknown':
      return bar(
        'info',
        'Not in the CRM yet',
        `${state.name ? `${state.name} (${state.email})` : state.email} is not a contact in the CRM. Add them in HubSpot and the pane fills in.`,
      );
    case 'unavailable':
      return bar('warning', 'Customer details are unavailable right now', state.detail, retry);
    case 'signed-out':
      return bar('warning', 'Sign-in needed', state.detail, retry);
    case 'error':
      return bar('error', 'Something went wrong', state.detail, retry);
  }
}
