// After a restart, the correlation windows are rebuilt by reading again what the group had already
// committed within the longest timespan, before consuming goes on. Alert ids are deterministic, so
// what the replay raises again folds into the alerts already stored.
import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, KafkaMessage } from '@sentrail/lib/kafka';
import { retry } from '@sentrail/lib/retry';

/** Per partition, the offsets [from, to) to read again: from the time `sinceMs` up to what the group committed. */
export async function replayRange(
  admin: Admin,
  groupId: string,
  topic: string,
  sinceMs: number,
): Promise<Map<number, { from: bigint; to: bigint }>> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const starts = new Map(
    (await admin.fetchTopicOffsetsByTimestamp(topic, sinceMs)).map(({ partition, offset }) => [
      partition,
      BigInt(offset),
    ]),
  );
  const ranges = new Map<number, { from: bigint; to: bigint }>();
  for (const { partition, offset } of committed?.partitions ?? []) {
    const to = BigInt(offset);
    const from = starts.get(partition) ?? to;
    if (to > 0n && from < to) ranges.set(partition, { from, to });
  }
  return ranges;
}

/** Reads the ranges in offset order per partition, handing each message to `handle`; resolves when all are read. */
export async function replay(
  kafka: Kafka,
  topic: string,
  ranges: Map<number, { from: bigint; to: bigint }>,
  handle: (message: KafkaMessage) => Promise<void>,
): Promise<number> {
  if (ranges.size === 0) return 0;
  // A group of its own that commits nothing: the service's group offsets stay as they were.
  const consumer = kafka.consumer({
    groupId: `sentrail-correlator-replay-${randomUUID()}`,
    allowAutoTopicCreation: false,
  });
  const left = new Set(ranges.keys());
  let read = 0;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const range = ranges.get(partition);
        if (!range || !left.has(partition)) return;
        const offset = BigInt(message.offset);
        if (offset >= range.from && offset < range.to) {
          await handle(message);
          read++;
        }
        if (offset + 1n >= range.to) {
          left.delete(partition);
          consumer.pause([{ topic, partitions: [partition] }]);
          if (left.size === 0) finish();
        }
      },
    });
    // run() can resolve before the group is set up: seek once it is.
    for (const [partition, { from }] of ranges) {
      await retry(async () => consumer.seek({ topic, partition, offset: from.toString() }), {
        retries: 100,
        baseMs: 100,
        maxMs: 500,
      });
    }
    await finished;
    return read;
  } finally {
    await consumer.disconnect();
  }
}
