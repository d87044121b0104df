import { checkView } from '../content-checks.js';
import type { SlackState, StoredView } from '../state.js';
import { fail, isObject, ok, type WebApiMethod } from '../web-api.js';

/**
 * views.open / push / update / publish: modals need a live trigger_id (push at most three deep),
 * updates a current hash when given, Home tabs one per user.
 */
export function viewMethods(state: SlackState): Record<string, WebApiMethod> {
  const { views } = state;

  function viewResponse(stored: StoredView) {
    return {
      id: stored.id,
      team_id: state.teamId,
      hash: stored.hash,
      root_view_id: stored.stack[0] ?? stored.id,
      state: { values: {} },
      ...stored.view,
    };
  }

  return {
    'views.open': (args) => {
      const problem = state.useTrigger(args.trigger_id);
      if (problem) return fail(problem);
      const bad = checkView(args.view);
      if (bad) return bad;
      const id = state.nextId('V');
      const stored: StoredView = { id, hash: state.newHash(), view: args.view as Record<string, unknown>, stack: [id] };
      views.set(id, stored);
      return ok({ view: viewResponse(stored) });
    },
    'views.push': (args) => {
      const problem = state.useTrigger(args.trigger_id);
      if (problem) return fail(problem);
      const bad = checkView(args.view);
      if (bad) return bad;
      const root = [...views.values()].filter((v) => v.view.type === 'modal').at(-1);
      if (root && root.stack.length >= 3) return fail('push_limit_reached');
      const id = state.nextId('V');
      const stack = [...(root?.stack ?? []), id];
      const stored: StoredView = { id, hash: state.newHash(), view: args.view as Record<string, unknown>, stack };
      views.set(id, stored);
      if (root) root.stack = stack;
      return ok({ view: viewResponse(stored) });
    },
    'views.update': (args) => {
      const stored =
        typeof args.view_id === 'string'
          ? views.get(args.view_id)
          : [...views.values()].find((v) => v.view.external_id === args.external_id);
      if (!stored) return fail('not_found');
      if (typeof args.hash === 'string' && args.hash !== stored.hash) return fail('hash_conflict');
      const bad = checkView(args.view);
      if (bad) return bad;
      stored.view = args.view as Record<string, unknown>;
      stored.hash = state.newHash();
      return ok({ view: viewResponse(stored) });
    },
    'views.publish': (args) => {
      if (typeof args.user_id !== 'string' || !args.user_id) return fail('invalid_arguments');
      if (!isObject(args.view) || args.view.type !== 'home')
        return fail('invalid_arguments', ['[ERROR] must be home [json-pointer:/view/type]']);
      const bad = checkView(args.view);
      if (bad) return bad;
      const key = `home:${args.user_id}`;
      const existing = views.get(key);
      if (existing && typeof args.hash === 'string' && args.hash !== existing.hash) return fail('hash_conflict');
      const stored: StoredView = {
        id: existing?.id ?? state.nextId('V'),
        hash: state.newHash(),
        view: args.view,
        userId: args.user_id,
        stack: [],
      };
      views.set(key, stored);
      return ok({ view: viewResponse(stored) });
    },
  };
}
