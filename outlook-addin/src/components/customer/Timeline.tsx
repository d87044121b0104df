import { Badge, Caption1, Subtitle2, Text } from '@fluentui/react-components';
import type { CustomerContextView } from '../../types.js';
import { clamp, when } from '../format.js';
import { useCustomerStyles } from './styles.js';

const KIND_LABEL: Record<string, string> = {
  note: 'Note',
  call: 'Call',
  email: 'Email',
  meeting: 'Meeting',
  chat: 'Chat',
  visit: 'Visit',
  other: 'Touch',
  alert: 'Alert',
  response: 'Response',
};

/** The latest 25 touches, CRM and Rapport's own, with those not yet in the CRM marked. */
export function Timeline({ entries, now }: { entries: CustomerContextView['timeline']; now?: number }) {
  const styles = useCustomerStyles();
  return (
    <div className={styles.section}>
      <Subtitle2>Timeline</Subtitle2>
      {entries.length === 0 ? (
        <Caption1 className={styles.muted}>No touches yet.</Caption1>
      ) : (
        <ol className={styles.timeline} data-testid="timeline">
          {entries.slice(0, 25).map((e) => (
            <li key={e.id} className={styles.entry}>
              <div className={styles.entryHead}>
                <Badge appearance="tint" color={e.kind === 'email' ? 'brand' : 'informative'}>
                  {KIND_LABEL[e.kind] ?? e.kind}
                </Badge>
                <Caption1 className={styles.muted}>{when(e.at, now)}</Caption1>
                {e.status !== 'synced' && (
                  <Badge appearance="outline" color={e.status === 'failed' ? 'danger' : 'warning'}>
                    {e.status === 'failed' ? 'not logged' : 'on its way'}
                  </Badge>
                )}
              </div>
              {e.title && <Text weight="semibold">{e.title}</Text>}
              {e.body && (
                <Text className={styles.body} size={200}>
                  {clamp(e.body)}
                </Text>
              )}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
