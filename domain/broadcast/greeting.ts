/** Longer than this, a "first name" is not one (a pasted note, a company name): no greeting by name. */
const NAME_MAX = 60;

/**
 * The contact's first name as an alert may greet them with, or null when it is unknown or
 * unusable: control characters and line breaks become spaces, and a name without a letter is none.
 */
export function greetingName(firstName: string | null | undefined): string | null {
  const name = (firstName ?? '')
    // eslint-disable-next-line no-control-regex -- flattening control characters is the point
    .replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!name || name.length > NAME_MAX || !/\p{L}/u.test(name)) return null;
  return name;
}

/** "Hello Joe," when the contact's name is known, the same words on every channel; null otherwise (no greeting). */
export function greeting(firstName: string | null | undefined): string | null {
  const name = greetingName(firstName);
  return name ? `Hello ${name},` : null;
}
