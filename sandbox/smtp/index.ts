export { startSmtpCatcher, type SmtpCatcher, type SmtpCatcherOptions } from './catcher.js';
export { createOutboxApp, type OutboxSource } from './outbox-app.js';
export type { CaughtMessage, Duplicate } from './caught-message.js';
export type { FaultSwitches, RejectionKind } from './faults.js';
