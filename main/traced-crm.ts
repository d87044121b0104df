import type { CrmPort } from '../crm/port.js';
import type { Tracing } from '../lib/tracing.js';

/**
 * The CRM port with a client span around every call (`crm.createEngagements`, ...), the child of
 * whatever is active (an activity, an HTTP request). A decorator, not edits to each adapter call:
 * every method of the port is covered, today's and tomorrow's, and the adapter stays unaware.
 * Attributes are the operation, the traffic class and the size of a batch, never its contents.
 * Off (NO_TRACING), the port is returned as it is.
 */
export function traceCrm(port: CrmPort, tracing: Tracing, traffic: 'interactive' | 'background'): CrmPort {
  if (!tracing.on) return port;
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(port, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      let fn = wrapped.get(key);
      if (!fn) {
        const method = value as (...args: unknown[]) => unknown;
        fn = (...args: unknown[]) =>
          tracing.span(
            `crm.${key}`,
            {
              'peer.service': 'hubspot',
              'rapport.crm.operation': key,
              'rapport.crm.traffic': traffic,
              ...(Array.isArray(args[0]) ? { 'rapport.crm.batch_size': args[0].length } : {}),
            },
            // A synchronous throw becomes a rejection, as the port's callers expect of a call.
            async () => method.apply(target, args),
          );
        wrapped.set(key, fn);
      }
      return fn;
    },
  });
}
