// The sandbox's fixed demo records, under the names tests use.
export { DEMO_CONTACTS as DEMO, DEMO_LISTS, DEMO_OWNERS, DEMO_COMPANIES } from '../sandbox/hubspot/index.js';
