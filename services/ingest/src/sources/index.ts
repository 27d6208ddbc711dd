import type { SourceFactory } from '../source.js';
import { demo } from './demo.js';

/**
 * Every source, by the name of its section under `ingest.sources` in sentrail.yaml. A source runs
 * when its section is there and does not say `enabled: false`.
 */
export const SOURCES: Record<string, SourceFactory> = {
  demo,
};
