// How a rule's field name finds values in an event: a dotted path through nested objects, where
// an array at any level stands for each of its elements (a rule on `resources.ARN` matches when
// any resource's ARN does). Tests run on each value in place, so resolving allocates nothing.

import { SigmaError } from './errors.js';

export type FieldPath = readonly string[];

/** The path of a dotted field name such as `userIdentity.sessionContext.sessionIssuer.type`. */
export function fieldPath(name: string): FieldPath {
  const path = name.split('.');
  if (path.some((segment) => segment === '')) throw new SigmaError(`field name '${name}' has an empty segment`);
  return path;
}

/**
 * Whether `test` holds for any value at `path` in `root`. Values are what the path ends on:
 * strings, numbers, booleans, null or objects; arrays are looked through. A missing field has no
 * value. The context is handed to the test so callers need not build a closure per event.
 */
export function anyValue<C>(
  root: unknown,
  path: FieldPath,
  test: (value: unknown, context: C) => boolean,
  context: C,
): boolean {
  return visit(root, path, 0, test, context);
}

function visit<C>(
  node: unknown,
  path: FieldPath,
  index: number,
  test: (value: unknown, context: C) => boolean,
  context: C,
): boolean {
  // A loop down plain objects; only an array needs a call per element.
  for (; ; index++) {
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) if (visit(node[i], path, index, test, context)) return true;
      return false;
    }
    if (index === path.length) return node !== undefined && test(node, context);
    const key = path[index]!;
    // Own properties only: a rule on `constructor` must not find Object.prototype's.
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return false;
    node = (node as Record<string, unknown>)[key];
  }
}

/** Whether `test` holds for any string, number or boolean anywhere in `node` (keyword search). */
export function anyScalar(node: unknown, test: (value: unknown) => boolean): boolean {
  if (typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') return test(node);
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) if (anyScalar(node[i], test)) return true;
    return false;
  }
  if (typeof node !== 'object' || node === null) return false;
  // Events are plain data: for…in walks their own keys without allocating a key array.
  for (const key in node) if (anyScalar((node as Record<string, unknown>)[key], test)) return true;
  return false;
}
