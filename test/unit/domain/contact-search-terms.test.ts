import { describe, expect, it } from 'vitest';
import {
  MAX_QUERY_WORDS,
  contactTerms,
  foldText,
  queryWords,
  searchText,
  wordsOf,
} from '../../../domain/contact-search-terms.js';

const joe = {
  firstName: 'Joe',
  lastName: 'Smith',
  email: 'joe.smith@acme-logistics.example',
  companyName: 'Acme Logistics',
};

/** What the read model answers: every query word starts some term (as store/crm-contacts.ts asks SQL). */
const finds = (contact: Parameters<typeof contactTerms>[0], query: string) => {
  const terms = contactTerms(contact);
  const words = queryWords(query);
  return words.length > 0 && words.every((w) => terms.some((t) => t.startsWith(w)));
};

describe('contact search terms', () => {
  it('folds case and accents, and splits on anything but letters and digits', () => {
    expect(foldText('García ÉLODIE Zoë')).toBe('garcia elodie zoe');
    expect(wordsOf("O'Brien-Smith, joe.smith@acme.example")).toEqual([
      'o',
      'brien',
      'smith',
      'joe',
      'smith',
      'acme',
      'example',
    ]);
    expect(wordsOf('  ')).toEqual([]);
  });

  it('a contact is found by its names, email and company, by word prefix, in any case', () => {
    for (const query of ['Joe', 'joe smith', 'SMI', 'jo sm', 'joe.smith@acme', 'acme logistics', 'logist', 'Smith Joe'])
      expect(finds(joe, query), query).toBe(true);
    for (const query of ['mith', 'joe brown', 'acme foods', 'x']) expect(finds(joe, query), query).toBe(false);
  });

  it('names are found with and without their punctuation and accents', () => {
    const liam = { firstName: 'Liam', lastName: "O'Brien", email: null, companyName: 'Harbor Foods' };
    for (const query of ["O'Brien", 'obrien', 'brien', 'o brien', 'liam o'])
      expect(finds(liam, query), query).toBe(true);
    const maria = { firstName: 'María José', lastName: 'García-Núñez', email: null, companyName: null };
    for (const query of ['maria jose', 'garcia', 'nunez', 'garcianunez', 'GARCÍA'])
      expect(finds(maria, query), query).toBe(true);
  });

  it('query words: no duplicates, none that starts another, longest first, at most a few', () => {
    expect(queryWords('jo joe JOE smith')).toEqual(['smith', 'joe']);
    expect(queryWords('  ,;  ')).toEqual([]);
    expect(queryWords('a b c d e f g h').length).toBe(MAX_QUERY_WORDS);
  });

  it('terms are unique and bounded; the search column is the folded line', () => {
    const long = { firstName: 'x'.repeat(100), lastName: 'Smith', email: 'smith@smith.example', companyName: 'Smith' };
    const terms = contactTerms(long);
    expect(new Set(terms).size).toBe(terms.length);
    expect(Math.max(...terms.map((t) => t.length))).toBeLessThanOrEqual(40);
    expect(searchText(joe)).toBe('joe smith acme logistics joe.smith@acme-logistics.example');
    expect(contactTerms({ firstName: null, lastName: null, email: null, companyName: null })).toEqual([]);
  });
});
