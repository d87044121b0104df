import {
  Badge,
  Button,
  Caption1,
  Card,
  CardHeader,
  Divider,
  Field,
  Input,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Persona,
  Select,
  Spinner,
  Subtitle2,
  Text,
  Textarea,
  tokens,
} from '@fluentui/react-components';
import { useState, type FormEvent } from 'react';
import type { CustomerContextView, LoggedTouch } from '../types.js';
import { clamp, fullName, segmentsText, when } from './format.js';
import { data, h, tid } from './h.js';

/** What the customer view can do; the app passes real calls, tests pass fakes. */
export interface CustomerOperations {
  /** Logs the open email as a touch, with answers to the questions shown. */
  logTouch(input: { note: string; answers: Record<string, string> }): Promise<LoggedTouch>;
  /** Marks an open follow-up done; absent when the server cannot do it yet. */
  completeFollowUp?(id: string): Promise<void>;
}

export interface CustomerViewProps {
  context: CustomerContextView;
  /** Subject of the open email, shown on the log button's summary. */
  subject?: string;
  operations: CustomerOperations;
  now?: number;
}

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, padding: tokens.spacingHorizontalM },
  chips: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  chip: {
    display: 'flex',
    flexDirection: 'column',
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground3,
    minWidth: '84px',
    flexGrow: 1,
  },
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  reason: {
    borderLeft: `3px solid ${tokens.colorBrandStroke1}`,
    paddingLeft: tokens.spacingHorizontalS,
    fontStyle: 'italic',
    whiteSpace: 'pre-wrap',
  },
  timeline: {
    listStyleType: 'none',
    margin: 0,
    padding: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
  },
  entry: { display: 'flex', flexDirection: 'column', gap: '2px' },
  entryHead: { display: 'flex', gap: tokens.spacingHorizontalXS, alignItems: 'center', flexWrap: 'wrap' },
  body: { color: tokens.colorNeutralForeground2, overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' },
  muted: { color: tokens.colorNeutralForeground3 },
});

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

export function CustomerView({ context, subject, operations, now }: CustomerViewProps) {
  const styles = useStyles();
  const seg = segmentsText(context.segments);
  const name = fullName(context.contact);
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const [note, setNote] = useState('');
  const [logState, setLogState] = useState<
    { kind: 'idle' } | { kind: 'saving' } | { kind: 'done'; touch: LoggedTouch } | { kind: 'error'; message: string }
  >({ kind: 'idle' });
  const [followUpState, setFollowUpState] = useState<Record<string, 'saving' | 'done'>>({});
  const [followUpError, setFollowUpError] = useState<string | null>(null);

  const completeFollowUp = async (id: string) => {
    if (!operations.completeFollowUp || followUpState[id]) return;
    setFollowUpError(null);
    setFollowUpState((s) => ({ ...s, [id]: 'saving' }));
    try {
      await operations.completeFollowUp(id);
      setFollowUpState((s) => ({ ...s, [id]: 'done' }));
    } catch (error) {
      setFollowUpState(({ [id]: _dropped, ...rest }) => rest);
      setFollowUpError(`Could not mark it done: ${(error as Error).message}`);
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setLogState({ kind: 'saving' });
    try {
      const filled = Object.fromEntries(Object.entries(answers).filter(([, v]) => v.trim() !== ''));
      const touch = await operations.logTouch({ note: note.trim(), answers: filled });
      setLogState({ kind: 'done', touch });
    } catch (error) {
      setLogState({ kind: 'error', message: (error as Error).message });
    }
  };

  const secondary = [context.contact.jobtitle, context.company?.name].filter(Boolean).join(' · ');

  return h(
    'div',
    { className: styles.root, ...tid('customer-view') },
    h(Persona, {
      name,
      secondaryText: secondary || undefined,
      tertiaryText: context.contact.email ?? undefined,
      size: 'large',
      avatar: { color: 'colorful' },
      ...tid('customer-name'),
    }),
    context.owner &&
      h(Caption1, { className: styles.muted, ...tid('customer-owner') }, `Account owner: ${fullName(context.owner)}`),
    context.contact.hs_email_optout === 'true' &&
      h(MessageBar, { intent: 'warning' }, h(MessageBarBody, null, 'Opted out of marketing email.')),

    h(
      'div',
      { className: styles.chips, ...tid('segments') },
      h(
        'div',
        { className: styles.chip, title: context.segments.valueTier.reason },
        h(Caption1, { className: styles.muted }, 'Value'),
        h(Text, { weight: 'semibold' }, seg.tier),
      ),
      h(
        'div',
        { className: styles.chip },
        h(Caption1, { className: styles.muted }, 'Last purchase'),
        h(Text, { weight: 'semibold' }, seg.lastPurchase),
      ),
      h(
        'div',
        { className: styles.chip },
        h(Caption1, { className: styles.muted }, 'Relationship'),
        h(Text, { weight: 'semibold' }, seg.relationship),
      ),
    ),

    context.nextBestAction &&
      h(
        Card,
        { ...tid('next-best-action'), appearance: 'filled-alternative' },
        h(CardHeader, { header: h(Subtitle2, null, 'Next best action') }),
        h(Text, { weight: 'semibold' }, context.nextBestAction.action),
        h(Caption1, { className: styles.muted }, 'Why — in words you can use:'),
        h(Text, { className: styles.reason }, context.nextBestAction.reason),
      ),

    h(
      'form',
      { className: styles.section, onSubmit: (e: FormEvent) => void submit(e), ...tid('log-touch') },
      context.nextQuestions.length > 0 &&
        h(
          'div',
          { className: styles.section, ...tid('next-questions') },
          h(Subtitle2, null, context.nextQuestions.length === 1 ? 'Ask next' : 'Ask next (one or two)'),
          ...context.nextQuestions.map((q) =>
            h(
              Field,
              { key: q.id, label: q.text },
              q.kind === 'choice' && q.choices
                ? h(
                    Select,
                    {
                      value: answers[q.id] ?? '',
                      onChange: (_: unknown, d: { value: string }) => setAnswers((a) => ({ ...a, [q.id]: d.value })),
                      ...data('question', q.id),
                    },
                    h('option', { value: '' }, 'Not asked yet'),
                    ...q.choices.map((c) => h('option', { key: c, value: c }, c)),
                  )
                : h(Input, {
                    value: answers[q.id] ?? '',
                    placeholder: 'Their answer, if you asked',
                    onChange: (_: unknown, d: { value: string }) => setAnswers((a) => ({ ...a, [q.id]: d.value })),
                    ...data('question', q.id),
                  }),
            ),
          ),
        ),
      h(
        Field,
        { label: 'Note for the timeline (optional)' },
        h(Textarea, {
          value: note,
          resize: 'vertical',
          onChange: (_: unknown, d: { value: string }) => setNote(d.value),
          ...tid('touch-note'),
        }),
      ),
      h(
        Button,
        { appearance: 'primary', type: 'submit', disabled: logState.kind === 'saving', ...tid('log-button') },
        logState.kind === 'saving' ? 'Logging…' : 'Log this email as a touch',
      ),
      subject !== undefined && h(Caption1, { className: styles.muted }, `Summary: Email “${clamp(subject, 80)}”`),
      logState.kind === 'done' &&
        h(
          MessageBar,
          { intent: 'success', ...tid('log-result') },
          h(
            MessageBarBody,
            null,
            logState.touch.duplicate
              ? 'This email was already logged.'
              : logState.touch.status === 'synced'
                ? 'Logged on the CRM timeline.'
                : 'Logged. It is on its way to the CRM timeline.',
          ),
        ),
      logState.kind === 'error' &&
        h(MessageBar, { intent: 'error', ...tid('log-result') }, h(MessageBarBody, null, logState.message)),
    ),

    context.followUps &&
      h(
        'div',
        { className: styles.section, ...tid('follow-ups') },
        h(Subtitle2, null, 'Open follow-ups'),
        context.followUps.length === 0
          ? h(Caption1, { className: styles.muted }, 'Nothing open.')
          : h(
              'ul',
              { className: styles.timeline },
              ...context.followUps.map((f) =>
                h(
                  'li',
                  { key: f.id, className: styles.entryHead, ...tid('follow-up'), ...data('follow-up', f.id) },
                  h(Text, null, f.subject),
                  f.dueAt && h(Caption1, { className: styles.muted }, `due ${when(f.dueAt, now)}`),
                  operations.completeFollowUp &&
                    h(
                      Button,
                      {
                        size: 'small',
                        disabled: followUpState[f.id] !== undefined,
                        onClick: () => void completeFollowUp(f.id),
                        ...tid('follow-up-done'),
                      },
                      followUpState[f.id] === 'done'
                        ? 'Done'
                        : followUpState[f.id] === 'saving'
                          ? 'Marking…'
                          : 'Mark done',
                    ),
                ),
              ),
            ),
        followUpError &&
          h(MessageBar, { intent: 'error', ...tid('follow-up-error') }, h(MessageBarBody, null, followUpError)),
      ),

    h(Divider, null),
    h(
      'div',
      { className: styles.section },
      h(Subtitle2, null, 'Timeline'),
      context.timeline.length === 0
        ? h(Caption1, { className: styles.muted }, 'No touches yet.')
        : h(
            'ol',
            { className: styles.timeline, ...tid('timeline') },
            ...context.timeline
              .slice(0, 25)
              .map((e) =>
                h(
                  'li',
                  { key: e.id, className: styles.entry },
                  h(
                    'div',
                    { className: styles.entryHead },
                    h(
                      Badge,
                      { appearance: 'tint', color: e.kind === 'email' ? 'brand' : 'informative' },
                      KIND_LABEL[e.kind] ?? e.kind,
                    ),
                    h(Caption1, { className: styles.muted }, when(e.at, now)),
                    e.status !== 'synced' &&
                      h(
                        Badge,
                        { appearance: 'outline', color: e.status === 'failed' ? 'danger' : 'warning' },
                        e.status === 'failed' ? 'not logged' : 'on its way',
                      ),
                  ),
                  e.title && h(Text, { weight: 'semibold' }, e.title),
                  e.body && h(Text, { className: styles.body, size: 200 }, clamp(e.body)),
                ),
              ),
          ),
    ),
    logState.kind === 'saving' && h(Spinner, { size: 'tiny' }),
  );
}
