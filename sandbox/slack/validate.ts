/**
 * What Slack refuses in Block Kit, as far as Rapport's surfaces go: block counts per surface,
 * text lengths, id lengths, option counts, required fields. Each problem is reported with a
 * json-pointer the way Slack's `response_metadata.messages` does.
 */

export const LIMITS = {
  messageBlocks: 50,
  modalBlocks: 100,
  homeBlocks: 100,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  viewTitle: 24,
  viewButton: 24,
  privateMetadata: 3000,
  id: 255,
  optionText: 75,
  optionValue: 150,
  options: 100,
  label: 2000,
  hint: 2000,
  placeholder: 150,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  plainTextInput: 3000,
  viewBytes: 250_000,
} as const;

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const BLOCK_TYPES = new Set([
  'section',
  'divider',
  'image',
  'actions',
  'context',
  'input',
  'header',
  'rich_text',
  'video',
  'file',
  'markdown',
]);
const ELEMENT_TYPES = new Set([
  'button',
  'static_select',
  'external_select',
  'users_select',
  'conversations_select',
  'channels_select',
  'multi_static_select',
  'multi_external_select',
  'multi_users_select',
  'multi_conversations_select',
  'multi_channels_select',
  'overflow',
  'datepicker',
  'timepicker',
  'datetimepicker',
  'plain_text_input',
  'checkboxes',
  'radio_buttons',
  'image',
  'email_text_input',
  'number_input',
  'url_text_input',
  'rich_text_input',
]);

class Problems {
  readonly list: string[] = [];
  add(pointer: string, message: string) {
    this.list.push(`[ERROR] ${message} [json-pointer:${pointer}]`);
  }
}

function text(
  p: Problems,
  v: unknown,
  at: string,
  max: number,
  opts: { plainOnly?: boolean; required?: boolean } = {},
) {
  if (v === undefined) {
    if (opts.required !== false) p.add(at, 'must provide an object');
    return;
  }
  if (!isObj(v)) return p.add(at, 'must provide an object');
  if (v.type !== 'plain_text' && v.type !== 'mrkdwn') return p.add(`${at}/type`, 'must be plain_text or mrkdwn');
  if (opts.plainOnly && v.type !== 'plain_text') p.add(`${at}/type`, 'must be plain_text');
  if (typeof v.text !== 'string' || v.text.length === 0) return p.add(`${at}/text`, 'must be more than 0 characters');
  if (v.text.length > max) p.add(`${at}/text`, `must be less than ${max + 1} characters`);
}

function id(p: Problems, v: unknown, at: string, required = false) {
  if (v === undefined) {
    if (required) p.add(at, 'is required');
    return;
  }
  if (typeof v !== 'string' || v.length === 0) p.add(at, 'must be a non-empty string');
  else if (v.length > LIMITS.id) p.add(at, `must be less than ${LIMITS.id + 1} characters`);
}

function option(p: Problems, o: unknown, at: string) {
  if (!isObj(o)) return p.add(at, 'must provide an object');
  text(p, o.text, `${at}/text`, LIMITS.optionText);
  if (typeof o.value !== 'string' || o.value.length === 0) p.add(`${at}/value`, 'must be more than 0 characters');
  else if (o.value.length > LIMITS.optionValue)
    p.add(`${at}/value`, `must be less than ${LIMITS.optionValue + 1} characters`);
}

/** A confirmation dialog object (buttons, selects): title, text, confirm, deny, optional style. */
function confirmation(p: Problems, c: unknown, at: string) {
  if (!isObj(c)) return p.add(at, 'must provide an object');
  text(p, c.title, `${at}/title`, 100, { plainOnly: true });
  text(p, c.text, `${at}/text`, 300);
  text(p, c.confirm, `${at}/confirm`, 30, { plainOnly: true });
  text(p, c.deny, `${at}/deny`, 30, { plainOnly: true });
  if (c.style !== undefined && c.style !== 'primary' && c.style !== 'danger')
    p.add(`${at}/style`, 'must be a valid enum value');
}

function element(p: Problems, e: unknown, at: string) {
  if (!isObj(e)) return p.add(at, 'must provide an object');
  if (typeof e.type !== 'string' || !ELEMENT_TYPES.has(e.type))
    return p.add(`${at}/type`, 'must be a valid enum value');
  if (e.type !== 'image') id(p, e.action_id, `${at}/action_id`);
  if (e.placeholder !== undefined) text(p, e.placeholder, `${at}/placeholder`, LIMITS.placeholder, { plainOnly: true });
  if (e.confirm !== undefined) confirmation(p, e.confirm, `${at}/confirm`);
  switch (e.type) {
    case 'button':
      text(p, e.text, `${at}/text`, LIMITS.buttonText, { plainOnly: true });
      if (typeof e.value === 'string' && e.value.length > LIMITS.buttonValue)
        p.add(`${at}/value`, `must be less than ${LIMITS.buttonValue + 1} characters`);
      if (typeof e.url === 'string' && e.url.length > LIMITS.url)
        p.add(`${at}/url`, `must be less than ${LIMITS.url + 1} characters`);
      break;
    case 'static_select':
    case 'multi_static_select': {
      const options = e.options;
      if (!Array.isArray(options) || options.length === 0) {
        if (!Array.isArray(e.option_groups)) p.add(`${at}/options`, 'must provide at least 1 item');
        break;
      }
      if (options.length > LIMITS.options) p.add(`${at}/options`, `must provide no more than ${LIMITS.options} items`);
      options.forEach((o, i) => option(p, o, `${at}/options/${i}`));
      if (isObj(e.initial_option)) {
        option(p, e.initial_option, `${at}/initial_option`);
        if (!options.some((o) => isObj(o) && o.value === (e.initial_option as Json).value))
          p.add(`${at}/initial_option`, 'must match one of the options');
      }
      break;
    }
    case 'external_select':
      if (e.initial_option !== undefined) option(p, e.initial_option, `${at}/initial_option`);
      break;
    case 'plain_text_input': {
      const max = typeof e.max_length === 'number' ? e.max_length : LIMITS.plainTextInput;
      if (max > LIMITS.plainTextInput) p.add(`${at}/max_length`, `must be at most ${LIMITS.plainTextInput}`);
      if (typeof e.initial_value === 'string' && e.initial_value.length > max)
        p.add(`${at}/initial_value`, `must be less than ${max + 1} characters`);
      break;
    }
    case 'datetimepicker':
      if (e.initial_date_time !== undefined && !Number.isInteger(e.initial_date_time))
        p.add(`${at}/initial_date_time`, 'must be an integer');
      break;
  }
}

function block(p: Problems, b: unknown, at: string, surface: 'message' | 'modal' | 'home') {
  if (!isObj(b)) return p.add(at, 'must provide an object');
  if (typeof b.type !== 'string' || !BLOCK_TYPES.has(b.type)) return p.add(`${at}/type`, 'must be a valid enum value');
  id(p, b.block_id, `${at}/block_id`);
  switch (b.type) {
    case 'section': {
      if (b.text === undefined && b.fields === undefined) p.add(at, 'must provide text or fields');
      if (b.text !== undefined) text(p, b.text, `${at}/text`, LIMITS.sectionText);
      if (b.fields !== undefined) {
        if (!Array.isArray(b.fields) || b.fields.length === 0) p.add(`${at}/fields`, 'must provide at least 1 item');
        else {
          if (b.fields.length > LIMITS.fields)
            p.add(`${at}/fields`, `must provide no more than ${LIMITS.fields} items`);
          b.fields.forEach((f, i) => text(p, f, `${at}/fields/${i}`, LIMITS.fieldText));
        }
      }
      if (b.accessory !== undefined) element(p, b.accessory, `${at}/accessory`);
      break;
    }
    case 'header':
      text(p, b.text, `${at}/text`, LIMITS.headerText, { plainOnly: true });
      break;
    case 'context':
      if (!Array.isArray(b.elements) || b.elements.length === 0)
        p.add(`${at}/elements`, 'must provide at least 1 item');
      else {
        if (b.elements.length > LIMITS.contextElements)
          p.add(`${at}/elements`, `must provide no more than ${LIMITS.contextElements} items`);
        b.elements.forEach((e, i) =>
          isObj(e) && e.type === 'image' ? undefined : text(p, e, `${at}/elements/${i}`, LIMITS.sectionText),
        );
      }
      break;
    case 'actions':
      if (!Array.isArray(b.elements) || b.elements.length === 0)
        p.add(`${at}/elements`, 'must provide at least 1 item');
      else {
        if (b.elements.length > LIMITS.actionsElements)
          p.add(`${at}/elements`, `must provide no more than ${LIMITS.actionsElements} items`);
        b.elements.forEach((e, i) => element(p, e, `${at}/elements/${i}`));
      }
      break;
    case 'input':
      if (surface === 'message') p.add(`${at}/type`, 'input blocks are not supported in messages here');
      text(p, b.label, `${at}/label`, LIMITS.label, { plainOnly: true });
      if (b.hint !== undefined) text(p, b.hint, `${at}/hint`, LIMITS.hint, { plainOnly: true });
      element(p, b.element, `${at}/element`);
      break;
  }
}

/** Problems with a list of blocks on a surface (empty list: Slack would accept them). */
export function validateBlocks(blocks: unknown, surface: 'message' | 'modal' | 'home', at = '/blocks'): string[] {
  const p = new Problems();
  if (!Array.isArray(blocks)) {
    p.add(at, 'must provide an array');
    return p.list;
  }
  const max =
    surface === 'message' ? LIMITS.messageBlocks : surface === 'modal' ? LIMITS.modalBlocks : LIMITS.homeBlocks;
  if (blocks.length > max) p.add(at, `must provide no more than ${max} items`);
  const ids = new Set<string>();
  blocks.forEach((b, i) => {
    block(p, b, `${at}/${i}`, surface);
    if (isObj(b) && typeof b.block_id === 'string') {
      if (ids.has(b.block_id)) p.add(`${at}/${i}/block_id`, 'must be unique');
      ids.add(b.block_id);
    }
  });
  return p.list;
}

/** Problems with a view (views.open/update/push/publish). `too_large` is Slack's view_too_large. */
export function validateView(view: unknown): { problems: string[]; tooLarge: boolean } {
  const p = new Problems();
  if (!isObj(view)) {
    p.add('/view', 'must provide an object');
    return { problems: p.list, tooLarge: false };
  }
  const tooLarge = Buffer.byteLength(JSON.stringify(view)) > LIMITS.viewBytes;
  if (view.type !== 'modal' && view.type !== 'home') p.add('/view/type', 'must be modal or home');
  id(p, view.callback_id, '/view/callback_id');
  id(p, view.external_id, '/view/external_id');
  if (view.private_metadata !== undefined) {
    if (typeof view.private_metadata !== 'string') p.add('/view/private_metadata', 'must be a string');
    else if (view.private_metadata.length > LIMITS.privateMetadata)
      p.add('/view/private_metadata', `must be less than ${LIMITS.privateMetadata + 1} characters`);
  }
  const surface = view.type === 'home' ? 'home' : 'modal';
  if (surface === 'modal') {
    text(p, view.title, '/view/title', LIMITS.viewTitle, { plainOnly: true });
    if (view.submit !== undefined) text(p, view.submit, '/view/submit', LIMITS.viewButton, { plainOnly: true });
    if (view.close !== undefined) text(p, view.close, '/view/close', LIMITS.viewButton, { plainOnly: true });
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isObj(b) && b.type === 'input');
    if (hasInput && view.submit === undefined) p.add('/view/submit', 'must provide submit when there are input blocks');
  }
  p.list.push(...validateBlocks(view.blocks, surface, '/view/blocks'));
  return { problems: p.list, tooLarge };
}

/** Problems with a message (chat.*, response_url). */
export function validateMessage(message: Json, maxText: number): { problems: string[]; textTooLong: boolean } {
  const problems: string[] = [];
  const textValue = message.text;
  if (textValue !== undefined && typeof textValue !== 'string')
    problems.push('[ERROR] text must be a string [json-pointer:/text]');
  if (message.blocks !== undefined) problems.push(...validateBlocks(message.blocks, 'message'));
  return { problems, textTooLong: typeof textValue === 'string' && textValue.length > maxText };
}
