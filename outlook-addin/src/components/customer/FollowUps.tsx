import { Button, Caption1, MessageBar, MessageBarBody, Subtitle2, Text } from '@fluentui/react-components';
import { useState } from 'react';
import type { CustomerContextView } from '../../types.js';
import { when } from '../format.js';
import { useCustomerStyles } from './styles.js';

const BUTTON_WORDS = { idle: 'Mark done', saving: 'Marking…', done: 'Done' } as const;

/** The contact's open follow-up tasks; each can be marked done when `complete` is given. */
export function FollowUps({
  followUps,
  complete,
  now,
}: {
  followUps: CustomerContextView['followUps'];
  complete?: (id: string) => Promise<void>;
  now?: number;
}) {
  const styles = useCustomerStyles();
  const [progress, setProgress] = useState<Record<string, 'saving' | 'done'>>({});
  const [error, setError] = useState<string | null>(null);

  const markDone = async (id: string) => {
    if (!complete || progress[id]) return;
    setError(null);
    setProgress((s) => ({ ...s, [id]: 'saving' }));
    try {
      await complete(id);
      setProgress((s) => ({ ...s, [id]: 'done' }));
    } catch (failure) {
      setProgress(({ [id]: _dropped, ...rest }) => rest);
      setError(`Could not mark it done: ${(failure as Error).message}`);
    }
  };

  return (
    <div className={styles.section} data-testid="follow-ups">
      <Subtitle2>Open follow-ups</Subtitle2>
      {followUps.length === 0 ? (
        <Caption1 className={styles.muted}>Nothing open.</Caption1>
      ) : (
        <ul className={styles.timeline}>
          {followUps.map((f) => (
            <li key={f.id} className={styles.entryHead} data-testid="follow-up" data-follow-up={f.id}>
              <Text>{f.subject}</Text>
              {f.dueAt && <Caption1 className={styles.muted}>{`due ${when(f.dueAt, now)}`}</Caption1>}
              {complete && (
                <Button
                  size="small"
                  disabled={progress[f.id] !== undefined}
                  onClick={() => void markDone(f.id)}
                  data-testid="follow-up-done"
                >
                  {BUTTON_WORDS[progress[f.id] ?? 'idle']}
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      {error && (
        <MessageBar intent="error" data-testid="follow-up-error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
    </div>
  );
}
