import type { PeopleStore } from '../store/people.js';

/** Approver bindings in memory, with the store's rule (the first binding of an email stands), for unit tests. */
export function memoryBindings(): Pick<PeopleStore, 'boundTo' | 'bind'> {
  const bindings = new Map<string, string>();
  return {
    boundTo: async (email) => bindings.get(email.toLowerCase()) ?? null,
    async bind(email, personId) {
      const key = email.toLowerCase();
      if (!bindings.has(key)) bindings.set(key, personId);
      return bindings.get(key)!;
    },
  };
}
