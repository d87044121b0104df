import { parseNextBestActionRules, type NextBestActionRules } from '../domain/next-best-action.js';
import rulesFile from '../config/next-best-action.json' with { type: 'json' };

/**
 * The next-best-action rules shipped in config/next-best-action.json, validated when this
 * module loads (that is, at start-up): a broken rule stops Rapport with the rule named.
 */
export const NEXT_BEST_ACTION_RULES: NextBestActionRules = parseNextBestActionRules(
  rulesFile,
  'config/next-best-action.json',
);
