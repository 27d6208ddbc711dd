// Loading a rules folder: every *.yml and *.yaml file under it, in path order. Detection rules are
// compiled; correlation rules (documents with `correlation:`) are handed back as parsed, for the
// correlation engine; whatever is refused is listed with its file, id and reason, and the rest
// still loads, so one bad rule cannot blind the others.

import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { isMap, readDocuments } from './documents.js';
import { SigmaError, SigmaRuleError } from './errors.js';
import { compileRule, type CompiledRule } from './rule.js';

export interface RefusedRule {
  file: string;
  /** The rule's id, when it has one. */
  id?: string;
  reason: string;
}

export interface CorrelationDocument {
  file: string;
  document: Record<string, unknown>;
}

export interface LoadedRules {
  rules: CompiledRule[];
  correlations: CorrelationDocument[];
  refused: RefusedRule[];
}

export async function loadRules(folder: string): Promise<LoadedRules> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  const loaded: LoadedRules = { rules: [], correlations: [], refused: [] };
  const idFiles = new Map<string, string>();
  for (const file of files) {
    const name = relative(folder, file);
    let documents: unknown[];
    try {
      documents = readDocuments(await readFile(file, 'utf8'));
    } catch (error) {
      if (!(error instanceof SigmaError)) throw error;
      loaded.refused.push({ file: name, reason: error.message });
      continue;
    }
    for (const document of documents) {
      const id = isMap(document) && typeof document.id === 'string' ? document.id : undefined;
      if (isMap(document) && 'correlation' in document) {
        loaded.correlations.push({ file: name, document });
        continue;
      }
      const earlier = id === undefined ? undefined : idFiles.get(id);
      if (earlier !== undefined) {
        loaded.refused.push({ file: name, id, reason: `the id is already the id of a rule in ${earlier}` });
        continue;
      }
      try {
        loaded.rules.push(compileRule(document, name));
        if (id !== undefined) idFiles.set(id, name);
      } catch (error) {
        if (!(error instanceof SigmaRuleError)) throw error;
        loaded.refused.push({ file: name, id, reason: error.reason });
      }
    }
  }
  return loaded;
}
