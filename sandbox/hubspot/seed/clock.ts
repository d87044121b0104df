/** Seed dates are whole days before the moment of seeding, so one day's seeds are identical. */
export interface Clock {
  at(daysAgo: number, minutes?: number): string;
  date(daysAgo: number): string;
}

const DAY = 86_400_000;

export function createClock(now: number): Clock {
  return {
    at: (daysAgo, minutes = 0) => new Date(now - daysAgo * DAY + minutes * 60_000 - (now % DAY)).toISOString(),
    date: (daysAgo) => new Date(now - daysAgo * DAY).toISOString().slice(0, 10),
  };
}

export const slug = (text: string) =>
  text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
