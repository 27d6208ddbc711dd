// The benchmark and fault-suite corpus (bench/lib/corpus.ts): the same options give the same corpus,
// its records add up to what was asked, every one normalizes, and no two share an Elasticsearch _id,
// which the fault suite's exactly-once accounting relies on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { corpus, MAPPER_OF, recordCount, recordsOf, type Delivery } from '@sentrail/bench/dist/lib/corpus.js';
import { testConfig } from '@sentrail/lib/testing';
import { createContext } from '@sentrail/normalizer/dist/context-labels.js';
import { MAPPER_INPUTS } from '@sentrail/normalizer/dist/mappers/index.js';
import { normalize } from '@sentrail/normalizer/dist/normalize.js';

const RECORDS = 20_000;
const context = createContext(testConfig().normalizer.context);
const CLOUDTRAIL_KEY =
  /^AWSLogs\/(\d{12})\/CloudTrail\/([a-z]{2}-[a-z]+-\d)\/\d{4}\/\d{2}\/\d{2}\/\1_CloudTrail_\2_\d{8}T\d{4}Z_[0-9A-Za-z]{16}\.json\.gz$/;

const total = (deliveries: Delivery[]) => deliveries.reduce((sum, delivery) => sum + recordCount(delivery), 0);

describe('the benchmark corpus', () => {
  // Files of 100 records: 160 of them, so that every trail delivers some.
  const options = { records: RECORDS, seed: 5, recordsPerFile: 100 };
  const deliveries = [...corpus(options)];

  it('is the same for the same options, and another for another seed', () => {
    assert.deepEqual([...corpus(options)], deliveries);
    assert.notDeepEqual([...corpus({ records: 1_000, seed: 6 })], [...corpus({ records: 1_000, seed: 5 })]);
  });

  it('holds exactly the records asked for, whatever the file size', () => {
    assert.equal(total(deliveries), RECORDS);
    for (const records of [1, 7, 499, 1_234])
      for (const recordsPerFile of [1, 100, 1_000])
        assert.equal(
          total([...corpus({ records, recordsPerFile })]),
          records,
          `${records} in files of ${recordsPerFile}`,
        );
  });

  it('mixes the sources as a busy estate does, over many accounts, regions and users', () => {
    const share = (source: Delivery['source']) =>
      total(deliveries.filter((delivery) => delivery.source === source)) / RECORDS;
    assert.ok(Math.abs(share('cloudtrail') - 0.8) < 0.02, `CloudTrail ${share('cloudtrail')}`);
    assert.ok(Math.abs(share('wazuh') - 0.12) < 0.02, `Wazuh ${share('wazuh')}`);
    assert.ok(Math.abs(share('k8s') - 0.08) < 0.02, `Kubernetes ${share('k8s')}`);

    const files = deliveries.filter((delivery) => delivery.source === 'cloudtrail');
    const trails = new Set<string>();
    const users = new Set<unknown>();
    for (const { key, records } of files) {
      const [, account, region] = CLOUDTRAIL_KEY.exec(key) ?? assert.fail(`not a CloudTrail key: ${key}`);
      trails.add(`${account} ${region}`);
      for (const record of records) {
        assert.equal(record['recipientAccountId'], account);
        assert.equal(record['awsRegion'], region);
        users.add((record['userIdentity'] as Record<string, unknown>)['userName']);
      }
    }
    assert.equal(new Set(files.map(({ key }) => key)).size, files.length, 'file keys repeat');
    assert.equal(trails.size, 48, '12 accounts × 4 regions');
    assert.ok(users.size > 150, `${users.size} users`);
    const eventNames = new Set(files.flatMap(({ records }) => records.map((record) => record['eventName'])));
    assert.ok(eventNames.has('StopLogging') && eventNames.has('ConsoleLogin'), 'suspicious sequences now and then');
  });

  it('normalizes every record, and no two records share an _id', () => {
    const ids = new Set<string>();
    const receivedAt = new Date().toISOString();
    for (const delivery of deliveries) {
      const meta = { ...MAPPER_INPUTS[MAPPER_OF[delivery.source]], origin: 'test', receivedAt };
      for (const record of recordsOf(delivery)) {
        const result = normalize(JSON.stringify(record), meta, { context });
        assert.ok(result.ok, `${delivery.source}: ${result.ok ? '' : result.error}`);
        ids.add(result.id);
      }
    }
    assert.equal(ids.size, RECORDS);
  });
});
