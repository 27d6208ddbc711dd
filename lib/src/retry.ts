import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryOptions {
  /** How many retries after the first attempt; Infinity retries until it works or the signal aborts. */
  retries: number;
  baseMs?: number;
  maxMs?: number;
  /** Whether this error is worth another attempt; default: every error. */
  retryable?: (error: unknown) => boolean;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
}

/** Exponential backoff with full jitter, so many callers retrying at once do not retry in step. */
export async function retry<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { retries, baseMs = 200, maxMs = 30_000, retryable = () => true, onRetry, signal } = options;
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (n >= retries || !retryable(error) || signal?.aborted) throw error;
      const delayMs = Math.round(Math.random() * Math.min(maxMs, baseMs * 2 ** n));
      onRetry?.(error, n + 1, delayMs);
      await sleep(delayMs, undefined, { signal });
    }
  }
}
