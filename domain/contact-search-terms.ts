/**
 * How a person's typing finds a contact: every word of the query must start a word of the
 * contact's name, email or company ("jo smi" finds Joe Smith; "acme" finds everyone at Acme
 * Logistics), in any case and with or without accents ("garcia" finds García). The same rules
 * as HubSpot's free-text search, so the picker answers the same whether it asks the CRM or the
 * read model. Pure: the store keeps the terms, the query side is computed per search.
 */

/** Longest term kept; longer words are cut (a prefix of a cut word still matches). */
export const MAX_TERM_LENGTH = 40;
/** A query keeps at most this many words (the rest only narrow an already short list). */
export const MAX_QUERY_WORDS = 5;

/** Lower case without accents: what a rep types on any keyboard. */
export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

/** The words of a text: runs of letters and digits, folded. */
export function wordsOf(text: string): string[] {
  return foldText(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .map((w) => w.slice(0, MAX_TERM_LENGTH));
}

export interface SearchableContact {
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  companyName: string | null;
}

/**
 * The terms a contact is found by: each word of its names, email and company, plus names
 * written without their punctuation ("O'Brien" -> "o", "brien" and "obrien"; "Jean-Luc" ->
 * "jeanluc"), because people type them both ways.
 */
export function contactTerms(contact: SearchableContact): string[] {
  const terms = new Set<string>();
  for (const field of [contact.firstName, contact.lastName, contact.companyName]) {
    if (!field) continue;
    for (const chunk of field.split(/\s+/)) {
      const words = wordsOf(chunk);
      words.forEach((w) => terms.add(w));
      if (words.length > 1) terms.add(words.join('').slice(0, MAX_TERM_LENGTH));
    }
  }
  if (contact.email) wordsOf(contact.email).forEach((w) => terms.add(w));
  return [...terms];
}

/** Names, company and email folded into one line: the read model's plain lower-cased search column. */
export function searchText(contact: SearchableContact): string {
  return [contact.firstName, contact.lastName, contact.companyName, contact.email]
    .filter(Boolean)
    .map((f) => foldText(f!))
    .join(' ');
}

/**
 * The words of a query, each to be matched as a term prefix. Duplicates and words that start
 * another word of the query are dropped ("jo joe" asks the same as "joe"); empty means "no search".
 */
export function queryWords(query: string): string[] {
  const words = [...new Set(wordsOf(query))];
  const kept = words.filter((w) => !words.some((other) => other !== w && other.startsWith(w)));
  return kept.sort((a, b) => b.length - a.length).slice(0, MAX_QUERY_WORDS);
}
