import { describe, expect, it } from 'vitest';
import { DEFAULT_QUESTIONS, nextQuestions, questionBankSchema } from '../../../domain/questions.js';

describe('next questions', () => {
  it('offers at most two, best first, never one already answered', () => {
    const first = nextQuestions(DEFAULT_QUESTIONS, {});
    expect(first.map((q) => q.id)).toEqual(['decision_maker', 'preferred_contact_time']);
    const later = nextQuestions(DEFAULT_QUESTIONS, {
      rapport_q_decision_maker: 'The CFO',
      rapport_q_main_goal: 'Growth',
    });
    expect(later.map((q) => q.id)).toEqual(['preferred_contact_time', 'competitors']);
    expect(nextQuestions(DEFAULT_QUESTIONS, {}, 5)).toHaveLength(2);
  });

  it('treats a blank answer as not asked', () => {
    expect(nextQuestions(DEFAULT_QUESTIONS, { rapport_q_decision_maker: ' ' })[0]?.id).toBe('decision_maker');
  });

  it('offers nothing when everything was asked', () => {
    const all = Object.fromEntries(DEFAULT_QUESTIONS.map((q) => [`rapport_q_${q.id}`, 'yes']));
    expect(nextQuestions(DEFAULT_QUESTIONS, all)).toEqual([]);
  });

  it('refuses a bank with duplicate ids', () => {
    expect(questionBankSchema.safeParse([DEFAULT_QUESTIONS[0], DEFAULT_QUESTIONS[0]]).success).toBe(false);
  });
});
