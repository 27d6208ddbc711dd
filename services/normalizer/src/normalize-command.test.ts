import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { EcsDocument } from '@sentrail/lib/ecs';
import { REPO_ROOT } from '@sentrail/lib/testing';
import { parseCommandLine, readRecords, UsageError, type InputRecord } from './normalize-command.js';

const consoleLogin = {
  eventVersion: '1.09',
  userIdentity: {
    type: 'IAMUser',
    principalId: 'AIDAEXAMPLE1',
    arn: 'arn:aws:iam::111122223333:user/alice',
    accountId: '111122223333',
    userName: 'alice',
  },
  eventTime: '2026-11-02T08:15:30Z',
  eventSource: 'signin.amazonaws.com',
  eventName: 'ConsoleLogin',
  awsRegion: 'us-east-1',
  sourceIPAddress: '203.0.113.7',
  userAgent: 'Mozilla/5.0',
  errorMessage: 'Failed authentication',
  requestParameters: null,
  responseElements: { ConsoleLogin: 'Failure' },
  additionalEventData: { MFAUsed: 'No', LoginTo: 'https://console.aws.amazon.com/' },
  eventID: '3f1a6c2e-0000-4000-8000-000000000001',
  readOnly: false,
  eventType: 'AwsConsoleSignIn',
  managementEvent: true,
  recipientAccountId: '111122223333',
  eventCategory: 'Management',
};
const createUser = {
  eventVersion: '1.09',
  userIdentity: {
    type: 'IAMUser',
    principalId: 'AIDAEXAMPLE2',
    arn: 'arn:aws:iam::111122223333:user/bob',
    accountId: '111122223333',
    accessKeyId: 'AKIAEXAMPLE',
    userName: 'bob',
  },
  eventTime: '2026-11-02T09:00:00Z',
  eventSource: 'iam.amazonaws.com',
  eventName: 'CreateUser',
  awsRegion: 'us-east-1',
  sourceIPAddress: '198.51.100.20',
  userAgent: 'aws-cli/2.15.0',
  requestParameters: { userName: 'mallory' },
  responseElements: { user: { userName: 'mallory', arn: 'arn:aws:iam::111122223333:user/mallory' } },
  requestID: 'req-2',
  eventID: '3f1a6c2e-0000-4000-8000-000000000002',
  readOnly: false,
  eventType: 'AwsApiCall',
  managementEvent: true,
  recipientAccountId: '111122223333',
  eventCategory: 'Management',
};

async function collect(input: Buffer | string, maxDocumentChars?: number): Promise<InputRecord[]> {
  const records: InputRecord[] = [];
  for await (const record of readRecords(Readable.from([Buffer.from(input)]), maxDocumentChars)) records.push(record);
  return records;
}

describe('parseCommandLine', () => {
  it('reads the source and the file; no file or - is stdin', () => {
    assert.deepEqual(parseCommandLine(['--source', 'k8s', 'audit.log']), {
      source: 'k8s',
      file: 'audit.log',
      help: false,
    });
    assert.equal(parseCommandLine(['--source=wazuh']).file, undefined);
    assert.equal(parseCommandLine(['-s', 'wazuh', '-']).file, undefined);
  });

  it('refuses what it cannot run', () => {
    for (const args of [[], ['--source', 'syslog'], ['--source', 'toString'], ['--source', 'k8s', 'a', 'b'], ['-x']]) {
      assert.throws(() => parseCommandLine(args), UsageError, args.join(' '));
    }
  });
});

describe('readRecords', () => {
  it('reads NDJSON line by line, keeping each line as given and its number', async () => {
    const lines = ['{"b": 1,  "a": 2}', '', 'not json', '{"c":3}'];
    const records = await collect(`\n${lines.join('\r\n')}\n`);
    assert.deepEqual(records, [
      { text: lines[0], number: 1, where: '2' },
      { text: lines[2], number: 2, where: '4' },
      { text: lines[3], number: 3, where: '5' },
    ]);
  });

  it('reads a pretty-printed CloudTrail file whole, one record per element', async () => {
    const records = await collect(JSON.stringify({ Records: [consoleLogin, createUser] }, null, 2));
    assert.deepEqual(records, [
      { text: JSON.stringify(consoleLogin), number: 1, where: '#1' },
      { text: JSON.stringify(createUser), number: 2, where: '#2' },
    ]);
  });

  it('gunzips by the magic bytes, and reads a one-line Records document as CloudTrail writes it', async () => {
    const file = gzipSync(JSON.stringify({ Records: [consoleLogin, createUser] }));
    assert.deepEqual(
      (await collect(file)).map(({ text }) => text),
      [consoleLogin, createUser].map((record) => JSON.stringify(record)),
    );
  });

  it('reads a Kubernetes EventList', async () => {
    const items = [
      { auditID: 'a1', verb: 'create' },
      { auditID: 'a2', verb: 'delete' },
    ];
    const list = { kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items };
    assert.deepEqual(
      (await collect(JSON.stringify(list, null, 2))).map(({ text }) => text),
      items.map((item) => JSON.stringify(item)),
    );
  });

  it('reads a single pretty-printed record as one, as given', async () => {
    const text = JSON.stringify({ id: '1700000000.1', rule: { id: '5710' } }, null, 2);
    assert.deepEqual(await collect(text), [{ text, number: 1, where: '1' }]);
  });

  it('reads NDJSON whose first line is broken line by line', async () => {
    const records = await collect('{"a":\n{"b":2}\n{"c":3}\n');
    assert.deepEqual(
      records.map(({ text, where }) => [where, text]),
      [
        ['1', '{"a":'],
        ['2', '{"b":2}'],
        ['3', '{"c":3}'],
      ],
    );
  });

  it('gives a broken document whole, once, rather than each of its lines', async () => {
    const text = JSON.stringify({ Records: [consoleLogin] }, null, 2).slice(0, -10);
    assert.deepEqual(await collect(text), [{ text, number: 1, where: '1' }]);
  });

  it('stops holding lines once the input is too long to be one document', async () => {
    const document = '{\n  "a": 1,\n  "b": 2\n}\n';
    assert.equal((await collect(document)).length, 1);
    assert.deepEqual(
      (await collect(document, 10)).map(({ where }) => where),
      ['1', '2', '3', '4'],
    );
  });

  it('fails on a corrupt gzip file', async () => {
    const file = gzipSync(Array.from({ length: 5000 }, (_, n) => `{"n":${n}}`).join('\n'));
    await assert.rejects(collect(file.subarray(0, file.length - 100)), /unexpected end of file/);
  });
});

interface Run {
  code: number | null;
  documents: EcsDocument[];
  stderr: string;
}

/** The command as `./sentrail normalize` runs it. */
function runCommand(args: string[], stdin = ''): Promise<Run> {
  const child = spawn(process.execPath, ['services/normalizer/dist/normalize-command.js', ...args], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(stdin);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const documents = stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as EcsDocument);
      resolve({ code, documents, stderr });
    });
  });
}

describe('sentrail normalize (the command)', () => {
  let directory: string;
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'sentrail-normalize-'));
  });
  after(() => rm(directory, { recursive: true, force: true }));

  it('maps an NDJSON file, reports a bad line by its number, and exits 1', async () => {
    const lines = [JSON.stringify(consoleLogin), '{"eventID": ', JSON.stringify(createUser, null, 0)];
    const file = join(directory, 'trail.ndjson');
    await writeFile(file, `${lines.join('\n')}\n`);
    const { code, documents, stderr } = await runCommand(['--source', 'cloudtrail', file]);
    assert.equal(stderr.match(new RegExp(`^${file}:2: not valid JSON`, 'm'))?.length, 1, stderr);
    assert.match(stderr, /^3 records: 2 mapped, 1 rejected$/m);
    assert.equal(code, 1);
    assert.deepEqual(
      documents.map((document) => [document.event.id, document.event.action, document.event.original]),
      [
        [consoleLogin.eventID, consoleLogin.eventName, lines[0]],
        [createUser.eventID, createUser.eventName, lines[2]],
      ],
    );
  });

  it('maps a gzipped Records file, whatever its name, and stdin; exits 0', async () => {
    const records = [consoleLogin, createUser];
    const file = join(directory, 'trail.json');
    await writeFile(file, gzipSync(JSON.stringify({ Records: records }, null, 2)));
    const fromFile = await runCommand(['--source', 'cloudtrail', file]);
    const fromStdin = await runCommand(['--source', 'cloudtrail'], records.map((r) => JSON.stringify(r)).join('\n'));
    for (const { code, documents, stderr } of [fromFile, fromStdin]) {
      assert.equal(stderr, '2 records: 2 mapped, 0 rejected\n');
      assert.equal(code, 0);
      assert.deepEqual(
        documents.map((document) => [document.event.id, document.event.original]),
        records.map((record) => [record.eventID, JSON.stringify(record)]),
      );
    }
  });

  it('exits 2 with the usage on an unknown source or a missing file', async () => {
    for (const args of [
      ['--source', 'syslog'],
      ['--source', 'cloudtrail', join(directory, 'missing.json')],
    ]) {
      const { code, documents, stderr } = await runCommand(args);
      assert.equal(code, 2);
      assert.deepEqual(documents, []);
      assert.match(stderr, /usage: sentrail normalize --source <cloudtrail\|wazuh\|k8s\|infra\|integrity\|sentrail>/);
    }
  });
});
