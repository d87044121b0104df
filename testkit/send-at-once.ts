/**
 * The demo topics have announced schedules (rates: weekdays 08:30 in each contact's zone). Every Rapport a test or
 * bench starts — in process, as a child worker or as `npm start`/`npm run worker` — sends an approved alert at once,
 * as the tests expect, unless a test of the schedules turns them back on in its own env (which is spread after this).
 */
export const SEND_AT_ONCE_ENV = { ANNOUNCED_SCHEDULES: 'off' } as const;
