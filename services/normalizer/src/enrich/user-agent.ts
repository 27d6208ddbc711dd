// user_agent.{name,version,os,device} from user_agent.original, as Elastic's user agent processor
// gives them. Browsers (the AWS console's users) are parsed by ua-parser-js 1.x (MIT; 2.x is AGPL);
// the tools that make most API calls (aws-cli, the AWS SDKs, Boto3, Terraform, kubectl, …) write
// `product/version` first and `os/<name>#<version>` later, which ua-parser-js does not name.
import { UAParser } from 'ua-parser-js';
import type { EcsDocument } from '@sentrail/lib/ecs';

export type ParsedUserAgent = Omit<NonNullable<EcsDocument['user_agent']>, 'original'>;

const TOOL = /^([A-Za-z][\w.-]*)\/v?(\d[\w.+-]*)/;
/** `os/linux#6.1.0` (the SDKs' metadata) or `Linux/6.1.0` (aws-cli). */
const TOOL_OS = /\b(?:os\/([a-z]+)(?:#([\w.+-]+))?|(Linux|Darwin|Windows)\/(\d[\w.+-]*))/;
/** Agents repeat (one per SDK version and host): parse each once, up to this many. */
const CACHE_SIZE = 10_000;
const cache = new Map<string, ParsedUserAgent>();

function parse(original: string): ParsedUserAgent {
  const { browser, os, device } = new UAParser(original).getResult();
  const tool = original.startsWith('Mozilla/') ? undefined : TOOL.exec(original);
  const toolOs = tool ? TOOL_OS.exec(original) : undefined;
  const deviceName = [device.vendor, device.model].filter(Boolean).join(' ');
  const osFields = defined(
    toolOs ? { name: toolOs[1] ?? toolOs[3], version: toolOs[2] ?? toolOs[4] } : { name: os.name, version: os.version },
  );
  return defined({
    name: tool?.[1] ?? browser.name,
    version: tool?.[2] ?? browser.version,
    os: osFields.name ? osFields : undefined,
    device: { name: deviceName || 'Other' },
  });
}

/** The object without its undefined members: documents never hold `undefined`. */
const defined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;

export function parseUserAgent(original: string): ParsedUserAgent {
  let parsed = cache.get(original);
  if (parsed === undefined) {
    if (cache.size >= CACHE_SIZE) cache.clear();
    parsed = parse(original);
    cache.set(original, parsed);
  }
  return parsed;
}

/** Adds the parsed fields beside user_agent.original, when there is one. */
export function enrichUserAgent(document: EcsDocument): void {
  const original = document.user_agent?.original;
  if (original) document.user_agent = { ...parseUserAgent(original), original };
}
