/**
 * Error codes shared by every layer: domain rules raise them, routes map them to HTTP,
 * Slack and the add-in map them to words. One code, one meaning.
 */
export const ERROR_CODES = [
  'VALIDATION',
  'UNAUTHORIZED',
  'FORBIDDEN',
  /** A service principal tried what only a signed-in person may do (decide, revise, cancel). */
  'PERSON_REQUIRED',
  'NOT_FOUND',
  'CONFLICT',
  'GONE',
  'UNKNOWN_CONTACT',
  'RATE_LIMITED',
  'UNAVAILABLE',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Dotted path of the input field at fault, when there is one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
