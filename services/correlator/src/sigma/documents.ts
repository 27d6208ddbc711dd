// Reading a Sigma YAML file: its documents as plain values. A file may hold several rules
// separated by `---`; rule collections, whose `action: global` documents are templates merged into
// the documents after them, are refused: merging them is a feature the engine does not have.

import { parseAllDocuments } from 'yaml';
import { SigmaError } from './errors.js';

export function readDocuments(text: string): unknown[] {
  return parseAllDocuments(text).map((document) => {
    const [error] = document.errors;
    if (error) throw new SigmaError(`invalid YAML: ${error.message.split('\n')[0]}`);
    let value: unknown;
    try {
      value = document.toJS();
    } catch (failure) {
      // The yaml package refuses alias bombs here, past its maxAliasCount.
      throw new SigmaError(`invalid YAML: ${(failure as Error).message}`);
    }
    if (isMap(value) && 'action' in value) {
      throw new SigmaError("rule collections ('action: global', 'reset', 'repeat') are not supported");
    }
    return value;
  });
}

/** A YAML map, as the `yaml` package returns one: a plain object. */
export function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
