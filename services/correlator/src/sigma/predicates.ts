// AND, OR and NOT over compiled tests. Small arities get their own closures: most selections have
// one or two fields and most conditions one or two operands, and a direct call beats a loop.

export type Predicate<T> = (value: T) => boolean;

export function allOf<T>(tests: readonly Predicate<T>[]): Predicate<T> {
  const [first, second] = tests;
  if (tests.length === 1 && first) return first;
  if (tests.length === 2 && first && second) return (value) => first(value) && second(value);
  return (value) => {
    for (let i = 0; i < tests.length; i++) if (!tests[i]!(value)) return false;
    return true;
  };
}

export function anyOf<T>(tests: readonly Predicate<T>[]): Predicate<T> {
  const [first, second] = tests;
  if (tests.length === 1 && first) return first;
  if (tests.length === 2 && first && second) return (value) => first(value) || second(value);
  return (value) => {
    for (let i = 0; i < tests.length; i++) if (tests[i]!(value)) return true;
    return false;
  };
}

export function not<T>(test: Predicate<T>): Predicate<T> {
  return (value) => !test(value);
}
