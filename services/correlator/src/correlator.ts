// The correlator's work, apart from the service around it: siem.events through the rules and
// correlations, detections into the alert store, alerts to siem.alerts and the notifiers' outbox.
// Offsets are committed after the alerts are stored; a restart first rebuilds the correlation
// windows from the last timespan of events the group had already committed.
import { resolve } from 'node:path';
import { ConfigError, type SentrailConfig } from '@sentrail/lib/config';
import { dlqMessage } from '@sentrail/lib/dlq';
import type { EcsDocument } from '@sentrail/lib/ecs';
import type { ElasticClient } from '@sentrail/lib/elastic';
import {
  ACKS_ALL,
  messageHeader,
  startBatchConsumer,
  TOPICS,
  type Admin,
  type Kafka,
  type KafkaMessage,
  type Producer,
} from '@sentrail/lib/kafka';
import type { Logger } from '@sentrail/lib/logger';
import { scheduleProblem, ScheduledRuns } from '@sentrail/lib/schedule';
import { AlertStore } from '@sentrail/lib/alerts/alert-store';
import type { Detection } from '@sentrail/lib/alerts/alert';
import { clockSkew } from './checks/clock-skew.js';
import { dailyReview, writeDailyReview } from './checks/daily-review.js';
import { SourceSilence } from './checks/source-silence.js';
import { AlertExceptions } from '@sentrail/lib/alerts/exceptions';
import type { CorrelatorMetrics } from './correlator-metrics.js';
import { Detector } from './detector.js';
import { channelsFor } from '@sentrail/lib/notifiers/notifier';
import { Outbox } from './notifiers/outbox.js';
import { createNotifiers } from '@sentrail/lib/notifiers/registry';
import { loadRulePack } from './rule-pack.js';
import { replay, replayRange } from './window-replay.js';

export interface CorrelatorDeps {
  config: SentrailConfig;
  logger: Logger;
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
  elastic: ElasticClient;
  metrics: CorrelatorMetrics;
}

export interface Correlator {
  store: AlertStore;
  stop(graceMs?: number): Promise<void>;
}

/** The ECS document a siem.events message holds; throws with the reason when it holds none. */
function readDocument(message: KafkaMessage): EcsDocument {
  const document = JSON.parse(message.value?.toString() ?? '') as EcsDocument;
  if (typeof document?.event?.id !== 'string') throw new Error('not an ECS document: event.id is missing');
  return document;
}

function parseDocument(message: KafkaMessage): EcsDocument | undefined {
  try {
    return readDocument(message);
  } catch {
    return undefined; // sent to siem.dlq when it was first read
  }
}

export async function startCorrelator(deps: CorrelatorDeps): Promise<Correlator> {
  const { config, logger, metrics, producer } = deps;
  const { groupId } = config.correlator;
  const pack = await loadRulePack(resolve(config.correlator.rulesDir));
  // One bad rule must not blind the others: it is refused loudly, the rest run.
  for (const refused of pack.refused) logger.error({ rule: refused }, `rule refused: ${refused.reason}`);
  metrics.rules.set(pack.rules.length + pack.correlations.length);
  metrics.refused.set(pack.refused.length);
  const detector = new Detector(pack);

  const notifiers = createNotifiers(config.correlator.notifiers);
  const store = new AlertStore({
    client: deps.elastic,
    prefix: config.elasticsearch.indexPrefix,
    suppressionMinutes: config.correlator.alerts.suppressionMinutes,
    channels: channelsFor(notifiers),
    exceptions: new AlertExceptions(deps.elastic, config.elasticsearch.indexPrefix),
  });
  const outbox = new Outbox({ store, notifiers, logger });

  const { checks } = config.correlator;
  const badSchedules = (['silenceSchedule', 'dailyReviewSchedule'] as const).flatMap(
    (key) => scheduleProblem(`correlator.checks.${key}`, checks[key]) ?? [],
  );
  if (badSchedules.length > 0) throw new ConfigError('correlator.checks', badSchedules);
  const silence = new SourceSilence();
  const recalled = await silence.recall(deps.elastic, config.elasticsearch.indexPrefix);
  logger.info({ recalled }, 'sources heard recently recalled for the silence check');

  /** Stores each detection; the alerts opened or updated go to siem.alerts and the notifiers. */
  async function raiseAll(detections: Detection[]): Promise<void> {
    const alerts = new Map<string, string>();
    for (const detection of detections) {
      const raised = await store.raise(detection);
      metrics.alerts.inc({ outcome: raised.outcome, rule: detection.rule.name });
      if (raised.outcome === 'opened' || raised.outcome === 'updated')
        alerts.set(raised.alert.alert.id, JSON.stringify(raised.alert));
    }
    if (alerts.size === 0) return;
    await producer.send({
      topic: TOPICS.alerts,
      acks: ACKS_ALL,
      messages: [...alerts].map(([key, value]) => ({ key, value })),
    });
    for (const id of alerts.keys())
      outbox.deliver(id).catch((error: unknown) => logger.warn({ err: error, alert: { id } }, 'notification failed'));
  }

  let lateCounted = 0;
  async function handle(messages: KafkaMessage[]): Promise<void> {
    const detections: Detection[] = [];
    const rejects = [];
    for (const message of messages) {
      metrics.events.inc();
      let document: EcsDocument;
      try {
        document = readDocument(message);
      } catch (error) {
        const origin = messageHeader(message, 'origin') ?? `kafka:${TOPICS.events}:${message.offset}`;
        rejects.push({ error: (error as Error).message, stage: 'correlate', origin, original: message.value ?? '' });
        continue;
      }
      const id = messageHeader(message, 'id') ?? document.event.id;
      silence.heard(document);
      detections.push(...detector.detect(id, document));
      const skewed = clockSkew(id, document, checks.clockSkewMinutes * 60_000);
      if (skewed) detections.push(skewed);
    }
    metrics.groups.set(detector.trackedGroups());
    metrics.late.inc(detector.lateEvents - lateCounted);
    lateCounted = detector.lateEvents;
    await raiseAll(detections);
    if (rejects.length > 0) {
      const receivedAt = new Date().toISOString();
      await producer.send({
        topic: TOPICS.dlq,
        acks: ACKS_ALL,
        messages: rejects.map((entry) => dlqMessage(entry, 'correlator', receivedAt, config.ingest.maxRecordBytes)),
      });
      metrics.dlq.inc(rejects.length);
    }
  }

  const longest = Math.max(0, ...pack.correlations.map((correlation) => correlation.timespan));
  if (longest > 0) {
    const ranges = await replayRange(deps.admin, groupId, TOPICS.events, Date.now() - longest);
    // Only the windows are rebuilt: what these events raised was stored before their offsets were committed.
    const replayed = await replay(deps.kafka, TOPICS.events, ranges, async (message) => {
      const document = parseDocument(message);
      if (document) detector.detect(messageHeader(message, 'id') ?? document.event.id, document);
    });
    metrics.replayed.set(replayed);
    logger.info({ replayed, timespan_ms: longest }, 'correlation windows rebuilt');
  }
  await outbox.start();
  const consumer = await startBatchConsumer(deps.kafka, logger, {
    groupId,
    topics: [TOPICS.events],
    handle,
    lag: metrics.lag,
  });
  const silenceRuns = new ScheduledRuns(
    checks.silenceSchedule,
    () => raiseAll(silence.silent(checks.silenceMinutes * 60_000)),
    logger,
    'source silence',
  );
  const reviewRuns = new ScheduledRuns(
    checks.dailyReviewSchedule,
    async () => {
      const review = await dailyReview(deps.elastic, config.elasticsearch.indexPrefix, new Date());
      await writeDailyReview(deps.elastic, config.elasticsearch.indexPrefix, review);
      logger.info(
        { review },
        `daily review: ${review.events.total} events, ${review.alerts.opened} alerts opened, ${review.alerts.open_now} open`,
      );
    },
    logger,
    'daily review',
  );
  silenceRuns.start();
  reviewRuns.start();
  return {
    store,
    async stop(graceMs) {
      await Promise.all([silenceRuns.stop(), reviewRuns.stop()]);
      await consumer.stop(graceMs);
      await outbox.stop();
    },
  };
}
