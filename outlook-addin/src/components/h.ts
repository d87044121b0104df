import { createElement } from 'react';

/**
 * createElement under a short name. The pane is written without JSX so the repository's one
 * tsconfig (no jsx setting) type-checks it with everything else.
 */
export const h = createElement;

/** data-* attributes, which createElement's typings do not accept as object keys. */
export const data = (name: string, value: string) => ({ [`data-${name}`]: value }) as object;
export const tid = (id: string) => data('testid', id);
