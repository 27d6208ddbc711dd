/**
 * The corpus size of this run: `npm run bench -- --records N` hands N to every benchmark as
 * BENCH_RECORDS (not SENTRAIL_…: the services refuse settings they do not know, and inherit the
 * environment); without it each benchmark takes its own default.
 */
export function corpusSize(fallback: number): number {
  const value = process.env['BENCH_RECORDS'];
  if (!value) return fallback;
  const size = Number(value);
  if (!Number.isSafeInteger(size) || size < 1)
    throw new Error(`BENCH_RECORDS must be a positive whole number, not '${value}'`);
  return size;
}
