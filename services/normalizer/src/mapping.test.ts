// Every field a golden document holds is one the events mapping declares: with `dynamic: false`,
// a field the mapping lacks is kept in _source but cannot be searched, which a reader would take
// for missing data. Stored payloads (JSON strings) are leaves here too.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { estypes } from '@elastic/elasticsearch';
import { eventsMapping } from '@sentrail/lib/mappings';
import { MAPPER_INPUTS, type MapperName } from './mappers/index.js';
import { goldenCases } from './testing/golden-cases.js';

/** Every leaf path of the mapping (objects are not leaves). */
function mappedPaths(properties: Record<string, estypes.MappingProperty>, prefix = ''): Set<string> {
  const paths = new Set<string>();
  for (const [name, property] of Object.entries(properties)) {
    const path = prefix ? `${prefix}.${name}` : name;
    const inner = (property as { properties?: Record<string, estypes.MappingProperty> }).properties;
    if (inner) for (const child of mappedPaths(inner, path)) paths.add(child);
    else paths.add(path);
  }
  return paths;
}

/** Every leaf path of a document; lists of objects contribute their objects' paths. */
function documentPaths(value: unknown, prefix = '', into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) documentPaths(item, prefix, into);
  else if (typeof value === 'object' && value !== null)
    for (const [key, inner] of Object.entries(value)) documentPaths(inner, prefix ? `${prefix}.${key}` : key, into);
  else into.add(prefix);
  return into;
}

describe('the events mapping covers what the mappers write', () => {
  const mapped = mappedPaths(eventsMapping.properties!);
  for (const mapper of Object.keys(MAPPER_INPUTS) as MapperName[]) {
    it(mapper, () => {
      const unmapped = new Set<string>();
      for (const { expectedFile } of goldenCases(mapper)) {
        const document = JSON.parse(readFileSync(expectedFile, 'utf8')) as Record<string, unknown>;
        if (!('event' in document)) continue; // a reject
        for (const path of documentPaths(document)) if (path !== '_id' && !mapped.has(path)) unmapped.add(path);
      }
      assert.deepEqual([...unmapped].sort(), []);
    });
  }
});
