import { Field, Input, Select, Subtitle2 } from '@fluentui/react-components';
import type { CustomerContextView } from '../../types.js';
import { useCustomerStyles } from './styles.js';

/** The one or two questions worth asking next, answered as free text or a choice. */
export function NextQuestions({
  questions,
  answers,
  onAnswer,
}: {
  questions: CustomerContextView['nextQuestions'];
  answers: Record<string, string>;
  onAnswer: (questionId: string, value: string) => void;
}) {
  const styles = useCustomerStyles();
  if (questions.length === 0) return null;
  return (
    <div className={styles.section} data-testid="next-questions">
      <Subtitle2>{questions.length === 1 ? 'Ask next' : 'Ask next (one or two)'}</Subtitle2>
      {questions.map((q) => (
        <Field key={q.id} label={q.text}>
          {q.kind === 'choice' && q.choices ? (
            <Select value={answers[q.id] ?? ''} onChange={(_, d) => onAnswer(q.id, d.value)} data-question={q.id}>
              <option value="">Not asked yet</option>
              {q.choices.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </Select>
          ) : (
            <Input
              value={answers[q.id] ?? ''}
              placeholder="Their answer, if you asked"
              onChange={(_, d) => onAnswer(q.id, d.value)}
              data-question={q.id}
            />
          )}
        </Field>
      ))}
    </div>
  );
}
