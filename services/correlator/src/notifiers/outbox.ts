// The outbox: delivers the notifications an alert's `notifications` entries ask for. The store
// records them as `pending` in the same write that opens, updates or closes the alert, so a crash
// or a receiver that is down loses nothing: a restarted outbox finds them and sends them.
//
// Each attempt is claimed on the alert first (counted, and leased so another outbox leaves it
// alone), then settled: delivered; failed for good (a 4xx other than 408/429, or maxAttempts
// reached); or pending again after an exponential backoff with full jitter. A channel gets the
// events of one alert in order; channels and alerts do not wait for each other. Delivery is
// at least once: an outbox that dies between sending and recording sends again.
import { createHash } from 'node:crypto';
import type { Logger } from '@sentrail/lib/logger';
import type { Alert, NotificationState } from '@sentrail/lib/alerts/alert';
import type { AlertStore } from '@sentrail/lib/alerts/alert-store';
import { claimNext, settle, type Claim, type Settlement } from '@sentrail/lib/alerts/notifications';
import { SerialByKey } from '@sentrail/lib/alerts/serial';
import type { Notifier } from '@sentrail/lib/notifiers/notifier';
import { send } from '@sentrail/lib/notifiers/send';

export interface OutboxOptions {
  store: AlertStore;
  notifiers: readonly Notifier[];
  logger?: Logger;
  /** The backoff before attempt n+1 is a random delay up to min(maxMs, baseMs·2^(n-1)). */
  baseMs?: number;
  maxMs?: number;
  /** Attempts before a notification is given up (recorded as failed); the defaults keep trying about a day. */
  maxAttempts?: number;
  /** How often to look for pending notifications this outbox was not told of (other processes, restarts). */
  sweepMs?: number;
}

/** Alerts swept at once: enough to drain a backlog, few enough not to flood a receiver just back. */
const SWEEP_CONCURRENCY = 8;

/** The same on every attempt of one notification: the receiver's key to drop a repeat. */
function deliveryId(alertId: string, entry: NotificationState): string {
  const key = [alertId, entry.channel, entry.event, entry.requested_at].join('\n');
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

export class Outbox {
  private readonly store: AlertStore;
  private readonly notifiers: ReadonlyMap<string, Notifier>;
  private readonly logger: Logger | undefined;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly maxAttempts: number;
  private readonly sweepMs: number;
  /** One drain at a time per alert and channel. */
  private readonly serial = new SerialByKey();
  /** Wake-ups for notifications in backoff, per alert and channel. */
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private sweeper: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(options: OutboxOptions) {
    this.store = options.store;
    this.notifiers = new Map(options.notifiers.map((notifier) => [notifier.channel, notifier]));
    this.logger = options.logger;
    this.baseMs = options.baseMs ?? 1000;
    this.maxMs = options.maxMs ?? 300_000;
    this.maxAttempts = options.maxAttempts ?? 600;
    this.sweepMs = options.sweepMs ?? 30_000;
  }

  /** Delivers what was left pending (by a previous run, or another process), then sweeps every sweepMs. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.sweep();
    this.sweeper = setInterval(() => {
      this.sweep().catch((error: unknown) => this.logger?.warn({ err: error }, 'outbox sweep failed'));
    }, this.sweepMs).unref();
  }

  /** Stops scheduling attempts and waits for those in flight; what is pending stays for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweeper);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await this.serial.idle();
  }

  /**
   * Delivers the alert's pending notifications that are due: call it after the store changed the
   * alert. Resolves once they were attempted; those in backoff are tried again by themselves.
   */
  async deliver(alertId: string): Promise<void> {
    const alert = await this.store.get(alertId);
    const channels = new Set(alert.notifications.filter((e) => e.status === 'pending').map((e) => e.channel));
    await Promise.all([...channels].map((channel) => this.drain(alertId, channel)));
  }

  private async sweep(): Promise<void> {
    const ids = await this.store.withPendingNotifications();
    for (let i = 0; i < ids.length && !this.stopped; i += SWEEP_CONCURRENCY) {
      // One alert that cannot be delivered (or read) does not hold up the others.
      const batch = ids
        .slice(i, i + SWEEP_CONCURRENCY)
        .map((id) =>
          this.deliver(id).catch((error: unknown) =>
            this.logger?.warn({ err: error, alert: { id } }, 'notification delivery failed'),
          ),
        );
      await Promise.all(batch);
    }
  }

  private drain(alertId: string, channel: string): Promise<void> {
    return this.serial.run(`${alertId}\n${channel}`, async () => {
      while (!this.stopped) {
        const notifier = this.notifiers.get(channel);
        const now = Date.now();
        const lease = now + 2 * (notifier?.settings.timeoutMs ?? 0) + 1000;
        const claim = await this.store.modify<Claim>(alertId, (alert) => {
          const claimed = claimNext(alert, channel, now, lease);
          return claimed && 'entry' in claimed ? { next: claimed.alert, result: claimed } : { result: claimed };
        });
        if (!claim) return;
        if ('waitUntil' in claim) return this.wakeAt(alertId, channel, claim.waitUntil);
        const settlement = await this.attempt(notifier, claim.entry, claim.alert);
        await this.store.modify(alertId, (alert) => ({ next: settle(alert, claim.entry, settlement), result: null }));
        this.log(alertId, claim.entry, settlement);
      }
    });
  }

  private async attempt(notifier: Notifier | undefined, entry: NotificationState, alert: Alert): Promise<Settlement> {
    if (!notifier) return { status: 'failed', error: `no notifier '${entry.channel}' is configured` };
    const request = notifier.request(entry.event, alert, deliveryId(alert.alert.id, entry));
    const delivery = await send(request, notifier.settings.timeoutMs);
    if (delivery.ok) return { status: 'delivered' };
    const { error, permanent, retryAfterMs = 0 } = delivery;
    if (permanent || entry.attempts >= this.maxAttempts) return { status: 'failed', error };
    const backoff = Math.random() * Math.min(this.maxMs, this.baseMs * 2 ** (entry.attempts - 1));
    // The receiver's Retry-After is honoured up to maxMs, the longest this outbox ever waits.
    const delay = Math.max(backoff, Math.min(retryAfterMs, this.maxMs));
    return { status: 'pending', error, nextAttempt: Date.now() + delay };
  }

  private wakeAt(alertId: string, channel: string, time: number): void {
    const key = `${alertId}\n${channel}`;
    if (this.stopped || this.timers.has(key)) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(key);
        this.drain(alertId, channel).catch((error: unknown) =>
          this.logger?.warn({ err: error, alert: { id: alertId }, channel }, 'notification delivery failed'),
        );
      },
      Math.max(0, time - Date.now()),
    );
    this.timers.set(key, timer.unref());
  }

  private log(alertId: string, entry: NotificationState, settlement: Settlement): void {
    const fields = { alert: { id: alertId }, channel: entry.channel, event: entry.event, attempts: entry.attempts };
    if (settlement.status === 'delivered') this.logger?.info(fields, 'notification delivered');
    else this.logger?.warn({ ...fields, error: settlement.error }, `notification ${settlement.status}`);
  }
}
