// A rules folder as the correlator runs it: the detection rules compiled, then the correlation rules
// that build on them. What is refused is listed with file, id and reason; the rest still loads.
import { compileCorrelations, type CompiledCorrelation } from './correlation/rule.js';
import { loadRules, type RefusedRule } from './sigma/load.js';
import type { CompiledRule } from './sigma/rule.js';

export interface RulePack {
  rules: CompiledRule[];
  correlations: CompiledCorrelation[];
  refused: RefusedRule[];
}

export async function loadRulePack(folder: string): Promise<RulePack> {
  const loaded = await loadRules(folder);
  const { correlations, refused } = compileCorrelations(loaded.correlations, loaded.rules);
  return { rules: loaded.rules, correlations, refused: [...loaded.refused, ...refused] };
}
