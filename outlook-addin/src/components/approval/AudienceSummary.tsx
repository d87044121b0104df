import { Badge, Caption1, Text } from '@fluentui/react-components';
import type { ApprovalAudience } from '../../types.js';
import { useApprovalStyles } from './styles.js';
import { audienceLines, channelCount } from './wording.js';

/** Who gets the alert, on which channels, and who does not and why. */
export function AudienceSummary({ audience }: { audience: ApprovalAudience }) {
  const styles = useApprovalStyles();
  const l = audienceLines(audience);
  const channels = Object.entries(audience.channelMix).filter(([, v]) => v > 0);
  return (
    <div className={styles.section} data-testid="approval-audience">
      <Text weight="semibold" data-testid="approval-recipients">
        {l.headline}
      </Text>
      <Caption1 className={styles.muted}>{l.from}</Caption1>
      <Text data-testid="approval-duplicates">{`${l.duplicates} · ${l.policySuppressed}`}</Text>
      {l.suppressed.length > 0 && <Caption1 className={styles.muted}>Not sent to, and why:</Caption1>}
      {l.suppressed.length > 0 && (
        <ul className={styles.list} data-testid="approval-suppressed">
          {l.suppressed.map((s) => (
            <li key={s}>
              <Caption1>{s}</Caption1>
            </li>
          ))}
        </ul>
      )}
      <div className={styles.actions} data-testid="approval-channels">
        <Caption1 className={styles.muted}>Channels:</Caption1>
        {channels.map(([c, v]) => (
          <Badge key={c} appearance="tint">
            {channelCount(c, v)}
          </Badge>
        ))}
        {channels.length === 0 && <Caption1>no deliveries</Caption1>}
      </div>
      {l.unconfigured && <Caption1 data-testid="approval-unconfigured">{l.unconfigured}</Caption1>}
      {l.when && <Text data-testid="approval-when">{`When: ${l.when}`}</Text>}
      {l.delayed && <Caption1 className={styles.muted}>{l.delayed}</Caption1>}
    </div>
  );
}
