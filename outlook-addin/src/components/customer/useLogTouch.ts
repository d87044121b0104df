import { useState } from 'react';
import type { LoggedTouch } from '../../types.js';

/** What the rep adds to the logged email: a note and answers by question id. */
export interface TouchInput {
  note: string;
  answers: Record<string, string>;
}

export type LogState =
  { kind: 'idle' } | { kind: 'saving' } | { kind: 'done'; touch: LoggedTouch } | { kind: 'error'; message: string };

/** The log-touch form's state: the answers and note typed so far, and how the logging went. */
export function useLogTouch(logTouch: (input: TouchInput) => Promise<LoggedTouch>) {
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const [note, setNote] = useState('');
  const [state, setState] = useState<LogState>({ kind: 'idle' });

  const submit = async () => {
    setState({ kind: 'saving' });
    try {
      const filled = Object.fromEntries(Object.entries(answers).filter(([, v]) => v.trim() !== ''));
      setState({ kind: 'done', touch: await logTouch({ note: note.trim(), answers: filled }) });
    } catch (error) {
      setState({ kind: 'error', message: (error as Error).message });
    }
  };

  return {
    answers,
    answer: (questionId: string, value: string) => setAnswers((a) => ({ ...a, [questionId]: value })),
    note,
    setNote,
    state,
    submit,
  };
}

export type LogTouchFormState = ReturnType<typeof useLogTouch>;
