import type { SourceFactory } from '../source.js';
import { cloudtrailDigest } from './cloudtrail-digest.js';
import { cloudtrailS3 } from './cloudtrail-s3.js';
import { cloudtrailSqs } from './cloudtrail-sqs.js';
import { demo } from './demo.js';
import { infraPush } from './infra-push.js';
import { trailStatus } from './trail-status.js';
import { wazuh } from './wazuh.js';

/**
 * Every source, by the name of its section under `ingest.sources` in sentrail.yaml. A source runs
 * when its section is there and does not say `enabled: false`.
 */
export const SOURCES: Record<string, SourceFactory> = {
  cloudtrailDigest,
  cloudtrailS3,
  cloudtrailSqs,
  demo,
  infraPush,
  trailStatus,
  wazuh,
};
