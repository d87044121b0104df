import { Caption1, Card, CardHeader, Subtitle2, Text } from '@fluentui/react-components';
import type { ApprovalAlertView } from '../../types.js';
import { useApprovalStyles } from './styles.js';

/** The alert as its requester wrote it: title, who asked, topic, version, and the text itself. */
export function ApprovalRequestCard({ alert }: { alert: ApprovalAlertView }) {
  const styles = useApprovalStyles();
  return (
    <Card>
      <CardHeader
        header={<Subtitle2 data-testid="approval-title">{alert.title}</Subtitle2>}
        description={
          <Caption1 data-testid="approval-requester">
            {`Requested by ${alert.requester} · topic ${alert.topic} · version ${alert.version}`}
          </Caption1>
        }
      />
      <Text className={styles.preview} data-testid="approval-preview">
        {alert.preview}
      </Text>
    </Card>
  );
}
