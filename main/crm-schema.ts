import { DEFAULT_QUESTIONS, answerProperty } from '../domain/questions.js';
import { BROADCAST_CRM_SCHEMA } from '../services/broadcast-services.js';

/** Rapport's custom CRM properties: idempotency keys on engagements, answers on contacts. */
export const CRM_SCHEMA = [
  ...(['notes', 'calls', 'emails', 'meetings', 'tasks'] as const).map((objectType) => ({
    objectType,
    name: 'rapport_idempotency_key',
    label: 'Rapport idempotency key',
  })),
  ...DEFAULT_QUESTIONS.map((q) => ({ objectType: 'contacts' as const, name: answerProperty(q.id), label: q.text })),
  ...BROADCAST_CRM_SCHEMA,
];
