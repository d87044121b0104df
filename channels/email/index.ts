export {
  ALERT_ID_HEADER,
  CONTACT_ID_HEADER,
  alertMessageId,
  buildAlertEmail,
  type AlertEmail,
  type Mailbox,
} from './alert-email.js';
export type { AlertEmailInput, SenderSettingsInput } from './alert-email-input.js';
export { renderMarkdown, type RenderedMarkdown } from './markdown.js';
export {
  EmailSendError,
  classifySendFailure,
  isSmtpTemporary,
  type EmailSendErrorCode,
  type SmtpFailureDetails,
} from './send-errors.js';
export { createEmailSender, type EmailSender, type EmailSenderOptions, type SendResult } from './sender.js';
export { redactSmtpUrl } from './smtp-url.js';
