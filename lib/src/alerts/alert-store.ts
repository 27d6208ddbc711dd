// The alert store: alerts in `<prefix>-alerts-YYYY.MM` (by first_seen), written without Painless
// (a bare node has none): every change reads the document, changes it in code and writes it back
// with if_seq_no/if_primary_term, starting again when another writer came first.
//
// Reads by id are realtime, searches see writes only after a refresh: the store remembers where
// its own alerts are, so a burst of detections needs neither a search nor a forced refresh.
import { aliases, alertsIndexName, type ElasticClient } from '../elastic.js';
import type { Alert, AlertEvent, Detection } from './alert.js';
import { AlertNotFoundError } from './errors.js';
import type { AlertExceptions } from './exceptions.js';
import { assign, changeStatus, type Actor } from './lifecycle.js';
import { checkDetection, mergeDetection, openAlert, suppressedBy } from './merge.js';
import { requestNotifications } from './notifications.js';
import { SerialByKey } from './serial.js';

export interface AlertStoreOptions {
  client: ElasticClient;
  prefix: string;
  /** correlator.alerts.suppressionMinutes */
  suppressionMinutes: number;
  /** The channels to notify of an event (see notifiers/routing.ts); none by default. */
  channels?: (event: AlertEvent, alert: Alert) => string[];
  /** Detections these mute are not raised. */
  exceptions?: AlertExceptions;
}

export interface Raised {
  outcome: 'opened' | 'updated' | 'unchanged';
  alert: Alert;
}
export type RaiseResult = Raised | { outcome: 'muted' };

/** What a change decides from the current alert: the alert to write (none: leave it) and what to answer. */
export interface Change<R> {
  next?: Alert;
  result: R;
}

const MAX_CONFLICT_RETRIES = 20;
const MAX_REMEMBERED = 10_000;
const PENDING_SWEEP_LIMIT = 1000;

const statusOf = (error: unknown) => (error as { meta?: { statusCode?: number } }).meta?.statusCode;
const now = () => new Date().toISOString();

/** Map.set that forgets the oldest entry past MAX_REMEMBERED: what the store remembers only saves a search. */
function remember(map: Map<string, string>, key: string, value: string): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_REMEMBERED) map.delete(map.keys().next().value!);
}

export class AlertStore {
  private readonly client: ElasticClient;
  private readonly prefix: string;
  private readonly alias: string;
  private readonly windowMs: number;
  private readonly channels: (event: AlertEvent, alert: Alert) => string[];
  private readonly exceptions: AlertExceptions | undefined;
  /** alert id → its index */
  private readonly indices = new Map<string, string>();
  /** rule id + entity value → the id of the alert detections of them last went to */
  private readonly latest = new Map<string, string>();
  /** Detections of one rule and entity one at a time, so two cannot both open an alert. */
  private readonly serial = new SerialByKey();

  constructor(options: AlertStoreOptions) {
    this.client = options.client;
    this.prefix = options.prefix;
    this.alias = aliases(options.prefix).alerts;
    this.windowMs = options.suppressionMinutes * 60_000;
    this.channels = options.channels ?? (() => []);
    this.exceptions = options.exceptions;
  }

  /**
   * Opens an alert for a detection, or folds it into the alert it belongs to: the open or
   * acknowledged alert of the same rule and entity within the suppression window, else the alert
   * with the detection's own id (a replay). A detection that adds nothing new changes nothing.
   */
  async raise(input: Detection): Promise<RaiseResult> {
    const detection = checkDetection(input);
    const { rule, entity } = detection;
    if (await this.exceptions?.isMuted(rule.id, entity.value, detection.last_seen)) return { outcome: 'muted' };
    const key = `${rule.id}\n${entity.value}`;
    return this.serial.run(key, async () => {
      const suppressing = await this.suppressingAlert(key, detection);
      let result: Raised | undefined;
      if (suppressing !== undefined) {
        result = await this.modify<Raised | undefined>(suppressing, (alert) =>
          suppressedBy(alert, detection, this.windowMs) ? this.fold(alert, detection) : { result: undefined },
        );
      }
      result ??= await this.openOrFold(detection.alert.id, detection);
      remember(this.latest, key, result.alert.alert.id);
      return result;
    });
  }

  async get(id: string): Promise<Alert> {
    return (await this.read(id)).alert;
  }

  acknowledge(id: string, by: string, note?: string): Promise<Alert> {
    return this.modify(id, (alert) => this.written(changeStatus(alert, 'acknowledged', this.actor(by, note))));
  }

  close(id: string, by: string, note?: string): Promise<Alert> {
    return this.modify(id, (alert) => {
      const closed = changeStatus(alert, 'closed', this.actor(by, note));
      return this.written(requestNotifications(closed, 'alert.closed', this.channels('alert.closed', closed), now()));
    });
  }

  assign(id: string, assignee: string, by: string, note?: string): Promise<Alert> {
    return this.modify(id, (alert) => this.written(assign(alert, assignee, this.actor(by, note))));
  }

  /**
   * Reads the alert, asks `decide` what to make of it and writes that back only if nobody wrote in
   * between; otherwise decides again on what is there now. `decide` may throw to refuse the change.
   */
  async modify<R>(id: string, decide: (alert: Alert) => Change<R>): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      const { index, alert, seqNo, primaryTerm } = await this.read(id);
      const { next, result } = decide(alert);
      if (!next) return result;
      try {
        await this.client.index({ index, id, document: next, if_seq_no: seqNo, if_primary_term: primaryTerm });
        return result;
      } catch (error) {
        if (statusOf(error) !== 409 || attempt >= MAX_CONFLICT_RETRIES) throw error;
      }
    }
  }

  /** Ids of the alerts with a notification still pending (the outbox's sweep), after a refresh. */
  async withPendingNotifications(): Promise<string[]> {
    const scope = { index: this.alias, ignore_unavailable: true, allow_no_indices: true };
    await this.client.indices.refresh(scope);
    const result = await this.client.search<Pick<Alert, 'alert'>>({
      ...scope,
      size: PENDING_SWEEP_LIMIT,
      query: { term: { 'notifications.status': 'pending' } },
      sort: [{ last_seen: 'asc' }],
      _source: ['alert.id'],
    });
    return result.hits.hits.map((hit) => {
      remember(this.indices, hit._id!, hit._index);
      return hit._id!;
    });
  }

  private written(alert: Alert): Change<Alert> {
    return { next: alert, result: alert };
  }

  private actor(by: string, note: string | undefined): Actor {
    if (!by) throw new TypeError('who made the change (by) is required');
    return note ? { by, at: now(), note } : { by, at: now() };
  }

  /** The detection folded into the alert, with its update notified; unchanged when it adds nothing. */
  private fold(alert: Alert, detection: Detection): Change<Raised> {
    const merged = mergeDetection(alert, detection);
    if (!merged) return { result: { outcome: 'unchanged', alert } };
    const next = requestNotifications(merged, 'alert.updated', this.channels('alert.updated', merged), now());
    return { next, result: { outcome: 'updated', alert: next } };
  }

  /** The newest open or acknowledged alert of the rule and entity: the one remembered, else a search. */
  private async suppressingAlert(key: string, detection: Detection): Promise<string | undefined> {
    const remembered = this.latest.get(key);
    if (remembered !== undefined) {
      const alert = await this.read(remembered).then(
        (stored) => stored.alert,
        () => undefined,
      );
      if (alert && alert.status !== 'closed') return remembered;
    }
    const result = await this.client.search<Alert>({
      index: this.alias,
      ignore_unavailable: true,
      allow_no_indices: true,
      size: 1,
      query: {
        bool: {
          filter: [{ term: { 'rule.id': detection.rule.id } }, { term: { 'entity.value': detection.entity.value } }],
          must_not: [{ term: { status: 'closed' } }],
        },
      },
      sort: [{ last_seen: 'desc' }],
      _source: false,
    });
    const hit = result.hits.hits[0];
    if (!hit) return undefined;
    remember(this.indices, hit._id!, hit._index);
    return hit._id;
  }

  /**
   * Creates the alert with the detection's id; if it exists, this is the same alert seen again. New
   * activity after it was closed opens its successor (id `<id>-after-<closed at, ms>`) rather than
   * hiding in a closed alert; replays of what it holds change nothing.
   */
  private async openOrFold(id: string, detection: Detection): Promise<Raised> {
    const index = alertsIndexName(this.prefix, detection.first_seen);
    const at = now();
    const opened = openAlert({ ...detection, alert: { id } }, at);
    const alert = requestNotifications(opened, 'alert.opened', this.channels('alert.opened', opened), at);
    try {
      await this.client.create({ index, id, document: alert });
      remember(this.indices, id, index);
      return { outcome: 'opened', alert };
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
    }
    remember(this.indices, id, index);
    const folded = await this.modify(id, (existing): Change<Raised | string> => {
      if (existing.status !== 'closed') return this.fold(existing, detection);
      if (!mergeDetection(existing, detection)) return { result: { outcome: 'unchanged', alert: existing } };
      const closedAt = existing.status_history.findLast((change) => change.status === 'closed')!.at;
      return { result: `${id}-after-${Date.parse(closedAt)}` };
    });
    return typeof folded === 'string' ? this.openOrFold(folded, detection) : folded;
  }

  private async read(id: string) {
    const index = await this.locate(id);
    const found = await this.client.get<Alert>({ index, id }).catch((error: unknown) => {
      if (statusOf(error) === 404) throw new AlertNotFoundError(id);
      throw error;
    });
    return { index, alert: found._source!, seqNo: found._seq_no!, primaryTerm: found._primary_term! };
  }

  /** The index an alert is in: remembered, else searched, refreshing once for an alert written a moment ago. */
  private async locate(id: string): Promise<string> {
    const remembered = this.indices.get(id);
    if (remembered !== undefined) return remembered;
    const scope = { index: this.alias, ignore_unavailable: true, allow_no_indices: true };
    for (const refreshFirst of [false, true]) {
      if (refreshFirst) await this.client.indices.refresh(scope);
      const result = await this.client.search({ ...scope, size: 1, query: { ids: { values: [id] } }, _source: false });
      const hit = result.hits.hits[0];
      if (hit) {
        remember(this.indices, id, hit._index);
        return hit._index;
      }
    }
    throw new AlertNotFoundError(id);
  }
}
