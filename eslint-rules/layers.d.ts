// Types for layers.js, which stays JavaScript so eslint.config.js loads it on any Node.
import type { Linter, Rule } from 'eslint';

export interface LayerRule {
  folders?: string[];
  paths?: string[];
  allowOnly?: string[];
  typeOnly?: string[];
  packages?: string[];
  noNodeBuiltins?: boolean;
  builtinExceptions?: string[];
  why: string;
}
export declare const IO_PACKAGES: string[];
export declare const LAYERS: Record<string, LayerRule>;
export declare const layersRule: Rule.RuleModule;
export declare function layersConfig(root: string): Linter.Config;
