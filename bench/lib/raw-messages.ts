import { MAPPER_INPUTS } from '@sentrail/normalizer/dist/mappers/index.js';
import type { RawMeta } from '@sentrail/normalizer/dist/mapper.js';
import { corpus, MAPPER_OF, recordsOf, type CorpusOptions } from './corpus.js';

/** One record as an ingest source puts it on Kafka: its JSON, topic and `source` header. */
export interface RawMessage {
  value: string;
  meta: Pick<RawMeta, 'topic' | 'source'>;
}

/** The corpus as the ingest sources put it on Kafka: one message per record, in delivery order. */
export function* rawMessages(options: CorpusOptions): Generator<RawMessage> {
  for (const delivery of corpus(options)) {
    const meta = MAPPER_INPUTS[MAPPER_OF[delivery.source]];
    for (const record of recordsOf(delivery)) yield { value: JSON.stringify(record), meta };
  }
}
