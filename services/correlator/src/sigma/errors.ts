/** Something in a rule that is invalid Sigma or that this engine does not support, found while compiling. */
export class SigmaError extends Error {
  override name = 'SigmaError';
}

/**
 * A rule refused at load, naming the rule (its id, or its file when it has none) and why. Refusing
 * loudly is the point: a rule the engine half-understood would miss the events it was written for.
 */
export class SigmaRuleError extends Error {
  override name = 'SigmaRuleError';

  constructor(
    readonly rule: string,
    readonly reason: string,
  ) {
    super(`${rule}: ${reason}`);
  }
}

/** Runs a compile step, prefixing what it refuses with where in the rule it was, e.g. a selection's name. */
export function within<T>(where: string, compile: () => T): T {
  try {
    return compile();
  } catch (error) {
    if (error instanceof SigmaError) throw new SigmaError(`${where}: ${error.message}`);
    throw error;
  }
}
