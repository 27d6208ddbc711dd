// `./sentrail keys create|list|revoke`: API keys straight in Elasticsearch, with no API running, so
// the first admin key can be made before there is anybody to call POST /v1/keys.
import type { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadCommandConfig, type SentrailConfig } from '@sentrail/lib/config';
import { createElastic, installTemplates } from '@sentrail/lib/elastic';
import { ApiKeys, type KeyInfo } from './auth/api-keys.js';
import { ROLES, type Role } from './auth/roles.js';
import { operator } from './operator.js';

export const USAGE = `usage: sentrail keys create --role <${ROLES.join('|')}> --name NAME
       sentrail keys list
       sentrail keys revoke ID
  create  makes a key and prints it on stdout, the only time it is shown (its id goes to stderr)
  list    prints every key, revoked ones included, without secrets
  revoke  revokes the key with this id; requests made with it are refused from then on
  Exit status: 0 done, 1 failed (no such key, Elasticsearch unavailable), 2 usage or configuration error.
`;

export interface Io {
  stdout: Writable;
  stderr: Writable;
}

class UsageError extends Error {}

type Command = { name: 'create'; role: Role; keyName: string } | { name: 'list' } | { name: 'revoke'; id: string };

function parseCommand(args: string[]): Command | 'help' {
  const { values, positionals } = parseArgs({
    args,
    options: { role: { type: 'string' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) return 'help';
  const [name, ...rest] = positionals;
  const noOptions = (command: string) => {
    if (values.role !== undefined || values.name !== undefined)
      throw new UsageError(`${command} takes no --role or --name`);
  };
  switch (name) {
    case 'create': {
      if (rest.length > 0) throw new UsageError(`create takes no arguments besides its options, not "${rest[0]}"`);
      if (values.role === undefined) throw new UsageError('--role is required');
      if (!(ROLES as readonly string[]).includes(values.role))
        throw new UsageError(`unknown --role "${values.role}" (one of ${ROLES.join(', ')})`);
      if (values.name === undefined || values.name.trim() === '') throw new UsageError('--name is required');
      return { name, role: values.role as Role, keyName: values.name };
    }
    case 'list':
      noOptions(name);
      if (rest.length > 0) throw new UsageError(`list takes no arguments, not "${rest[0]}"`);
      return { name };
    case 'revoke':
      noOptions(name);
      if (rest.length !== 1) throw new UsageError(`revoke takes one key id, not ${rest.length}`);
      return { name, id: rest[0]! };
    case undefined:
      throw new UsageError('a command is required: create, list or revoke');
    default:
      throw new UsageError(`unknown command "${name}"`);
  }
}

const change = ({ at, by }: { at: string; by: string }) => `${at} by ${by}`;

/** The keys as aligned columns, one key a line. */
function table(keys: KeyInfo[]): string {
  const rows = [
    ['ID', 'ROLE', 'NAME', 'CREATED', 'REVOKED'],
    ...keys.map((key) => [key.id, key.role, key.name, change(key.created), key.revoked ? change(key.revoked) : '-']),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function run(command: Command, config: SentrailConfig, io: Io): Promise<number> {
  const elastic = createElastic(config.elasticsearch);
  const keys = new ApiKeys(elastic, config.elasticsearch.indexPrefix);
  try {
    switch (command.name) {
      case 'create': {
        // The templates give the keys' index its mapping and alias, even on a cluster nothing else has set up yet.
        await installTemplates(elastic, config.elasticsearch);
        const { key, info } = await keys.create(command.role, command.keyName, operator('keys'));
        io.stdout.write(`${key}\n`);
        io.stderr.write(
          `created API key ${info.id} "${info.name}" (${info.role}): store it now, it is not shown again\n`,
        );
        return 0;
      }
      case 'list': {
        const listed = await keys.list();
        io.stdout.write(`${table(listed)}\n`);
        return 0;
      }
      case 'revoke': {
        const revoked = await keys.revoke(command.id, operator('keys'));
        if (!revoked) {
          io.stderr.write(`sentrail keys: no API key with id "${command.id}"\n`);
          return 1;
        }
        io.stdout.write(
          `revoked API key ${revoked.id} "${revoked.name}" (${revoked.role}) ${change(revoked.revoked!)}\n`,
        );
        return 0;
      }
    }
  } catch (error) {
    io.stderr.write(`sentrail keys: Elasticsearch at ${config.elasticsearch.node}: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await elastic.close();
  }
}

/** The whole command; resolves with its exit status. `env` holds the SENTRAIL_* overrides. */
export async function runKeys(args: string[], io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let command: Command | 'help';
  try {
    command = parseCommand(args);
  } catch (error) {
    io.stderr.write(`sentrail keys: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (command === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  const config = loadCommandConfig('keys', io.stderr, { env });
  return config ? run(command, config, io) : 2;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runKeys(process.argv.slice(2), process);
}
