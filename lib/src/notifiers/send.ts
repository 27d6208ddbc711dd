// One delivery attempt over HTTP, and what its answer means for the next: 2xx delivered; 408, 429
// and 5xx (and no answer at all) worth another attempt; any other 4xx will fail the same way again.
import type { NotificationRequest } from './notifier.js';

export type Delivery =
  | { ok: true }
  | {
      ok: false;
      permanent: boolean;
      error: string;
      /** The receiver's Retry-After, when it gave one. */
      retryAfterMs?: number;
    };

const ERROR_BODY_LIMIT = 300;

function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** Why fetch failed: its own message is "fetch failed", the cause says e.g. ECONNREFUSED. */
function reason(error: unknown): string {
  const { message, cause } = error as Error;
  return cause instanceof Error ? `${message}: ${cause.message}` : message;
}

export async function send(request: NotificationRequest, timeoutMs: number): Promise<Delivery> {
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    return { ok: false, permanent: false, error: reason(error) };
  }
  const text = await response.text().catch(() => '');
  if (response.ok) return { ok: true };
  const status = response.status;
  const delivery: Delivery = {
    ok: false,
    permanent: status < 500 && status !== 408 && status !== 429,
    error: `HTTP ${status}${text ? `: ${text.slice(0, ERROR_BODY_LIMIT)}` : ''}`,
  };
  const after = retryAfterMs(response.headers.get('retry-after'));
  if (after !== undefined) delivery.retryAfterMs = after;
  return delivery;
}
