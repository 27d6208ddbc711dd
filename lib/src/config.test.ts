import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { JSONSchemaType } from 'ajv';
import { checkSection, ConfigError, loadConfig } from './config.js';
import { REPO_CONFIG } from './testing.js';

const repoYaml = readFileSync(REPO_CONFIG, 'utf8');

function writeConfig(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sentrail-config-')), 'sentrail.yaml');
  writeFileSync(file, text);
  return file;
}

function problemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail('the configuration was accepted');
}

describe('loadConfig', () => {
  it('loads the repository sentrail.yaml with the local defaults of DESIGN.md §5', () => {
    const config = loadConfig({ file: REPO_CONFIG, env: {} });
    assert.deepEqual(config.kafka.brokers, ['127.0.0.1:9092']);
    assert.equal(config.elasticsearch.node, 'http://127.0.0.1:9200');
    assert.equal(config.aws.sqsEndpoint, 'http://127.0.0.1:9324');
    assert.equal(config.aws.s3Endpoint, 'http://127.0.0.1:9000');
    assert.equal(config.ingest.cloudtrailQueue, 'sentrail-cloudtrail');
    assert.deepEqual(
      [config.api.port, config.ingest.port, config.normalizer.port, config.correlator.port],
      [8080, 8081, 8082, 8083],
    );
  });

  it('takes the file from SENTRAIL_CONFIG', () => {
    const file = writeConfig(repoYaml.replace('clientId: sentrail', 'clientId: from-file'));
    assert.equal(loadConfig({ env: { SENTRAIL_CONFIG: file } }).kafka.clientId, 'from-file');
  });

  it('applies environment overrides, typed by YAML and matched to camelCase keys', () => {
    const config = loadConfig({
      file: REPO_CONFIG,
      env: {
        SENTRAIL_KAFKA__BROKERS: '[kafka-1:9092, kafka-2:9092]',
        SENTRAIL_KAFKA__CLIENT_ID: 'edge',
        SENTRAIL_API__PORT: '9999',
        SENTRAIL_AWS__S3_FORCE_PATH_STYLE: 'false',
        UNRELATED: 'ignored',
      },
    });
    assert.deepEqual(config.kafka.brokers, ['kafka-1:9092', 'kafka-2:9092']);
    assert.equal(config.kafka.clientId, 'edge');
    assert.equal(config.api.port, 9999);
    assert.equal(config.aws.s3ForcePathStyle, false);
  });

  it('names the missing key', () => {
    const file = writeConfig(repoYaml.replace(/^ {2}node: .*$/m, ''));
    assert.deepEqual(
      problemsOf(() => loadConfig({ file, env: {} })),
      ['elasticsearch.node: is required'],
    );
  });

  it('names every wrong value with what was expected, and the variable it came from', () => {
    const problems = problemsOf(() =>
      loadConfig({
        file: REPO_CONFIG,
        env: {
          SENTRAIL_API__PORT: 'eighty',
          SENTRAIL_LOG__LEVEL: 'loud',
          SENTRAIL_KAFKA__BROKERS: '[]',
          SENTRAIL_ELASTICSEARCH__NODE: 'localhost:9200',
        },
      }),
    );
    assert.deepEqual(problems.sort(), [
      'api.port: must be integer (from SENTRAIL_API__PORT)',
      'elasticsearch.node: must match ^https?://[^\\s/]+ (from SENTRAIL_ELASTICSEARCH__NODE)',
      'kafka.brokers: must NOT have fewer than 1 items (from SENTRAIL_KAFKA__BROKERS)',
      'log.level: must be one of fatal, error, warn, info, debug, trace (from SENTRAIL_LOG__LEVEL)',
    ]);
  });

  it('rejects an unknown key in the file and a variable that names no key', () => {
    const file = writeConfig(repoYaml.replace('clientId: sentrail', 'clientId: sentrail\n  broker: oops'));
    const problems = problemsOf(() => loadConfig({ file, env: { SENTRAIL_KAFKA__BROKER_LIST: 'x' } }));
    assert.deepEqual(problems.sort(), [
      'SENTRAIL_KAFKA__BROKER_LIST: names no configuration key',
      'kafka.broker: is not a known key',
    ]);
  });

  it('says which file cannot be read or parsed', () => {
    const missing = join(tmpdir(), 'no-such-dir', 'sentrail.yaml');
    assert.throws(
      () => loadConfig({ file: missing, env: {} }),
      (error: Error) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /no-such-dir\/sentrail\.yaml/);
        assert.match(error.problems[0]!, /cannot read the file/);
        return true;
      },
    );
    const broken = writeConfig('kafka: [unclosed');
    assert.match(problemsOf(() => loadConfig({ file: broken, env: {} }))[0]!, /^not valid YAML/);
  });

  it('passes a source section through, with nested environment overrides in camelCase', () => {
    const config = loadConfig({
      file: REPO_CONFIG,
      env: { SENTRAIL_INGEST__SOURCES__WAZUH__ALERTS_FILE: '/var/ossec/logs/alerts/alerts.json' },
    });
    assert.deepEqual(config.ingest.sources['wazuh'], { alertsFile: '/var/ossec/logs/alerts/alerts.json' });
    const replaced = loadConfig({
      file: REPO_CONFIG,
      env: { SENTRAIL_INGEST__SOURCES__DEMO__ENABLED: 'false', SENTRAIL_INGEST__SOURCES: '{}' },
    });
    assert.deepEqual(replaced.ingest.sources, { demo: { enabled: false } }, 'the section is replaced first');
  });
});

describe('checkSection', () => {
  interface Tail {
    alertsFile: string;
    startAt: 'beginning' | 'end';
  }
  const schema: JSONSchemaType<Tail> = {
    type: 'object',
    properties: {
      alertsFile: { type: 'string', minLength: 1 },
      startAt: { type: 'string', enum: ['beginning', 'end'], default: 'end' },
    },
    required: ['alertsFile', 'startAt'],
    additionalProperties: false,
  };

  it("fills in the module's defaults", () => {
    assert.deepEqual(checkSection('ingest.sources.wazuh', schema, { alertsFile: 'a.json' }), {
      alertsFile: 'a.json',
      startAt: 'end',
    });
  });

  it('names the full key path of every problem', () => {
    const problems = problemsOf(() => checkSection('ingest.sources.wazuh', schema, { startAt: 'middle', x: 1 }));
    assert.deepEqual(problems.sort(), [
      'ingest.sources.wazuh.alertsFile: is required',
      'ingest.sources.wazuh.startAt: must be one of beginning, end',
      'ingest.sources.wazuh.x: is not a known key',
    ]);
  });
});
