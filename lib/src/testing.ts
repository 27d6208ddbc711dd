import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { loadConfig, type SentrailConfig } from './config.js';

/** The repository's sentrail.yaml, whatever the current directory. */
export const REPO_CONFIG = fileURLToPath(new URL('../../sentrail.yaml', import.meta.url));

/** A name no other test run uses, so tests can share one Kafka and one Elasticsearch. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** The local configuration with SENTRAIL_* style overrides on top, as a service would load it. */
export function testConfig(overrides: Record<string, string> = {}): SentrailConfig {
  return loadConfig({ file: REPO_CONFIG, env: overrides });
}
