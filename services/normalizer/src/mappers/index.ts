import { TOPICS } from '@sentrail/lib/kafka';
import type { Mapper, RawMeta } from '../mapper.js';
import { changes } from './changes.js';
import { cloudtrail } from './cloudtrail.js';
import { integrity } from './integrity.js';
import { k8sAudit } from './k8s-audit.js';
import { sentrailAccess } from './sentrail-access.js';
import { wazuh } from './wazuh.js';

export const MAPPERS = { cloudtrail, wazuh, k8sAudit, changes, integrity, sentrailAccess } satisfies Record<
  string,
  Mapper
>;
export type MapperName = keyof typeof MAPPERS;

/** Where each mapper's records arrive: their topic and the `source` header ingest gives them. */
export const MAPPER_INPUTS: Record<MapperName, { topic: string; source: string }> = {
  cloudtrail: { topic: TOPICS.rawCloudtrail, source: 'cloudtrailSqs' },
  wazuh: { topic: TOPICS.rawWazuh, source: 'wazuh' },
  k8sAudit: { topic: TOPICS.rawInfra, source: 'k8sAudit' },
  changes: { topic: TOPICS.rawInfra, source: 'changes' },
  integrity: { topic: TOPICS.rawIntegrity, source: 'cloudtrailDigest' },
  sentrailAccess: { topic: TOPICS.rawSentrail, source: 'api' },
};

/**
 * The mapper for a raw message: by topic, and on siem.raw.infra (shared by the Kubernetes audit
 * webhook and generic change events) by its `source` header.
 */
export function mapperFor(meta: Pick<RawMeta, 'topic' | 'source'>): MapperName | undefined {
  switch (meta.topic) {
    case TOPICS.rawCloudtrail:
      return 'cloudtrail';
    case TOPICS.rawWazuh:
      return 'wazuh';
    case TOPICS.rawIntegrity:
      return 'integrity';
    case TOPICS.rawSentrail:
      return 'sentrailAccess';
    case TOPICS.rawInfra:
      return meta.source === 'k8sAudit' ? 'k8sAudit' : meta.source === 'changes' ? 'changes' : undefined;
    default:
      return undefined;
  }
}
