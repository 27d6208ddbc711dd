// Sentrail's own integrity checks on siem.raw.integrity (PCI DSS 10.3.4, 10.7.2) to ECS state events:
// CloudTrail digest validations (services/ingest/src/sources/cloudtrail-digest.ts) and trail status
// checks (services/ingest/src/sources/trail-status.ts). A check is a success when it found nothing
// wrong: a digest whose result is `valid`, a trail with no flag and no error. A trail whose check
// failed (`error` set, `check_failed` flagged, no status) is a failure too: an unverifiable trail is
// a failed control for 10.7.2, not an unknown.
import type { EcsDocument } from '@sentrail/lib/ecs';
import {
  compact,
  eventTime,
  MappingError,
  optionalArray,
  optionalBoolean,
  optionalNumber,
  optionalObject,
  optionalString,
  optionalStrings,
  requiredString,
  type Json,
} from '../fields.js';
import type { Mapper } from '../mapper.js';

const words = (code: string) => code.replaceAll('_', ' ');

/** The problems a digest validation listed: each `{result, detail, object?}`. */
function digestProblems(record: Json) {
  return (optionalArray(record, 'problems') ?? []).map((problem, index) => {
    if (typeof problem !== 'object' || problem === null || Array.isArray(problem))
      throw new MappingError(`problems[${index}] must be an object`);
    const entry = problem as Json;
    return {
      result: requiredString(entry, 'result'),
      detail: optionalString(entry, 'detail'),
      object: optionalString(entry, 'object'),
    };
  });
}

function digestValidation(record: Json): Omit<EcsDocument, '@timestamp'> {
  const result = requiredString(record, 'result');
  const valid = result === 'valid';
  const problems = digestProblems(record);
  const key = optionalString(record, 'digest.key');
  const total = optionalNumber(record, 'logFiles.total');
  return {
    event: {
      id: requiredString(record, 'id'),
      kind: 'state',
      category: ['file'],
      type: ['info'],
      action: 'digest-validation',
      outcome: valid ? 'success' : 'failure',
      reason: valid ? `digest and its ${total ?? 0} log files verified` : `digest ${words(result)}`,
      module: 'sentrail',
      dataset: 'sentrail.integrity',
    },
    error: valid
      ? undefined
      : {
          code: result,
          message: problems
            .map(({ result, detail, object }) => `${result}${object ? ` ${object}` : ''}: ${detail ?? ''}`)
            .join('; '),
        },
    cloud: {
      provider: 'aws',
      account: { id: optionalString(record, 'digest.accountId') },
      region: optionalString(record, 'digest.region'),
    },
    resource: { type: 'AWS::S3::Object', id: requiredString(record, 'id'), name: key?.split('/').pop() },
    sentrail: {
      integrity: {
        kind: 'digest_validation',
        result,
        problems: [...new Set(problems.map((problem) => problem.result))],
        trail: optionalString(record, 'digest.trail'),
        log_files: {
          total,
          valid: optionalNumber(record, 'logFiles.valid'),
          missing: optionalNumber(record, 'logFiles.missing'),
          mismatched: optionalNumber(record, 'logFiles.mismatched'),
        },
      },
    },
  };
}

/** arn:aws:cloudtrail:<region>:<account>:trail/<name> */
const accountOf = (arn: string) => /^arn:[^:]+:cloudtrail:[^:]*:(\d{12}):/.exec(arn)?.[1];

function trailStatus(record: Json): Omit<EcsDocument, '@timestamp'> {
  const arn = requiredString(record, 'trail.arn');
  const flags = optionalStrings(record, 'flags') ?? [];
  const error = optionalString(record, 'error');
  const ok = flags.length === 0 && !error;
  const status = optionalObject(record, 'status');
  const logging = status && optionalBoolean(status, 'isLogging');
  const trailName = optionalString(record, 'trail.name');
  const deliveryError = status && optionalString(status, 'latestDeliveryError');
  const digestDeliveryError = status && optionalString(status, 'latestDigestDeliveryError');
  return {
    event: {
      id: requiredString(record, 'id'),
      kind: 'state',
      category: ['configuration'],
      type: ['info'],
      action: 'trail-status',
      outcome: ok ? 'success' : 'failure',
      reason: ok
        ? `trail ${logging ? 'logging' : 'checked'}`
        : `trail ${flags.map(words).join(', ') || 'check failed'}`,
      module: 'sentrail',
      dataset: 'sentrail.integrity',
    },
    error: ok
      ? undefined
      : {
          code: flags[0],
          message:
            [
              error,
              deliveryError && `log delivery: ${deliveryError}`,
              digestDeliveryError && `digest delivery: ${digestDeliveryError}`,
              ...(optionalStrings(record, 'narrowed') ?? []),
            ]
              .filter(Boolean)
              .join('; ') || undefined,
        },
    cloud: { provider: 'aws', account: { id: accountOf(arn) }, region: optionalString(record, 'region') },
    resource: { type: 'AWS::CloudTrail::Trail', id: arn, name: trailName },
    sentrail: {
      integrity: {
        kind: 'trail_status',
        flags,
        narrowed: optionalStrings(record, 'narrowed'),
        trail: trailName ?? arn,
      },
    },
  };
}

const KINDS = new Map<string, (record: Json) => Omit<EcsDocument, '@timestamp'>>([
  ['digest_validation', digestValidation],
  ['trail_status', trailStatus],
]);

export const integrity: Mapper = (record) => {
  const kind = requiredString(record, 'kind');
  const map = KINDS.get(kind);
  if (!map) throw new MappingError(`unknown integrity result kind ${JSON.stringify(kind.slice(0, 64))}`);
  const timestamp = eventTime(record, 'checkedAt');
  const document: EcsDocument = { '@timestamp': timestamp, ...map(record) };
  return { id: document.event.id, document: compact(document) };
};
