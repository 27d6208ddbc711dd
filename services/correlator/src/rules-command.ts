// `./sentrail rules check DIR`: compiles every rule of a folder as the correlator would and prints one
// line per rule, so an author sees what a deployment would refuse before deploying it.
import { pathToFileURL } from 'node:url';
import { loadRulePack, type RulePack } from './rule-pack.js';

export const USAGE = `usage: sentrail rules check DIR
  Compiles every Sigma detection and correlation rule under DIR (*.yml, *.yaml) and prints one line
  per rule: "ok <id> <name or title>" or "refused <id or -> <file>: <reason>".
  Exit status: 0 every rule compiles, 1 some are refused, 2 usage error.
`;

/** The report's lines, refused rules last so they end the output where the eye lands. */
export function report(pack: RulePack): string[] {
  const ok = [...pack.rules, ...pack.correlations].map((rule) => `ok       ${rule.id}  ${rule.name ?? rule.title}`);
  const refused = pack.refused.map((rule) => `refused  ${rule.id ?? '-'}  ${rule.file}: ${rule.reason}`);
  const summary = `${ok.length} rules compile (${pack.rules.length} detection, ${pack.correlations.length} correlation), ${refused.length} refused`;
  return [...ok, ...refused, summary];
}

export async function main(args: string[]): Promise<number> {
  const [command, folder, ...rest] = args;
  if (command !== 'check' || folder === undefined || rest.length > 0) {
    process.stderr.write(USAGE);
    return 2;
  }
  let pack: RulePack;
  try {
    pack = await loadRulePack(folder);
  } catch (error) {
    process.stderr.write(`sentrail rules: cannot read ${folder}: ${(error as Error).message}\n`);
    return 2;
  }
  process.stdout.write(`${report(pack).join('\n')}\n`);
  return pack.refused.length > 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = await main(process.argv.slice(2));
