/** Slack's Block Kit limits (Slack's Block Kit reference); the Slack face's views and the alert DM share them. */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  blocksPerModal: 100,
  blocksPerHome: 100,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  modalTitle: 24,
  modalButton: 24,
  privateMetadata: 3000,
  id: 255,
  optionText: 75,
  optionValue: 150,
  options: 100,
  inputLabel: 2000,
  inputHint: 2000,
  placeholder: 150,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  plainTextInput: 3000,
  messageText: 4000,
  viewBytes: 250_000,
} as const;

/** Cuts text to `max` characters, ending with an ellipsis when something was cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}
