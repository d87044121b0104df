import { Divider, Spinner } from '@fluentui/react-components';
import type { CustomerContextView, LoggedTouch } from '../types.js';
import { CustomerHeader } from './customer/CustomerHeader.js';
import { FollowUps } from './customer/FollowUps.js';
import { LogTouchForm } from './customer/LogTouchForm.js';
import { NextBestActionCard } from './customer/NextBestActionCard.js';
import { PreferencesNote } from './customer/PreferencesNote.js';
import { SegmentChips } from './customer/SegmentChips.js';
import { useCustomerStyles } from './customer/styles.js';
import { Timeline } from './customer/Timeline.js';
import { useLogTouch, type TouchInput } from './customer/useLogTouch.js';

/** What the customer view can do; the app passes real calls, tests pass fakes. */
export interface CustomerOperations {
  /** Logs the open email as a touch, with answers to the questions shown. */
  logTouch: (input: TouchInput) => Promise<LoggedTouch>;
  /** Marks an open follow-up done; absent when the server cannot do it yet. */
  completeFollowUp?: (id: string) => Promise<void>;
}

export interface CustomerViewProps {
  context: CustomerContextView;
  /** Subject of the open email, shown on the log button's summary. */
  subject?: string;
  operations: CustomerOperations;
  now?: number;
}

/** The sender as a customer: who they are, their segments, what to do and ask next, and the timeline. */
export function CustomerView({ context, subject, operations, now }: CustomerViewProps) {
  const styles = useCustomerStyles();
  const form = useLogTouch(operations.logTouch);
  return (
    <div className={styles.root} data-testid="customer-view">
      <CustomerHeader contact={context.contact} company={context.company} owner={context.owner} />
      <SegmentChips segments={context.segments} />
      {context.preferences && context.preferences.length > 0 && <PreferencesNote lines={context.preferences} />}
      {context.nextBestAction && <NextBestActionCard action={context.nextBestAction} />}
      <LogTouchForm questions={context.nextQuestions} subject={subject} form={form} />
      <FollowUps followUps={context.followUps} complete={operations.completeFollowUp} now={now} />
      <Divider />
      <Timeline entries={context.timeline} now={now} />
      {form.state.kind === 'saving' && <Spinner size="tiny" />}
    </div>
  );
}
