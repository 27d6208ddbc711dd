// The Docker topology (docker-compose.yml, Dockerfile, dashboards/provisioning) checked without a
// Docker engine: the files are parsed and held against the repository, sentrail.yaml and the
// configuration loader, so a wrong port, a missing mount source or a typo in an override fails here.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, posix, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig, type SentrailConfig, type ServiceName } from '@sentrail/lib/config';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SENTRAIL_SERVICES: readonly ServiceName[] = ['ingest', 'normalizer', 'correlator', 'api'];
const INFRA_SERVICES = ['kafka', 'elasticsearch', 'grafana'] as const;
const LOCAL_AWS_SERVICES = ['elasticmq', 's3proxy'] as const;

// ---- compose model (only what the checks read) ---------------------------------------------------

type Scalar = string | number | boolean | null;
interface Mount {
  type?: string;
  source?: string;
  target?: string;
  read_only?: boolean;
}
interface PortMapping {
  target?: number | string;
  published?: number | string;
  host_ip?: string;
}
interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string; args?: Record<string, Scalar> | string[] };
  environment?: Record<string, Scalar> | string[];
  ports?: (string | number | PortMapping)[];
  volumes?: (string | Mount)[];
  depends_on?: string[] | Record<string, { condition?: string; required?: boolean }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  profiles?: string[];
  configs?: (string | { source: string; target?: string })[];
  entrypoint?: string | string[];
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  configs?: Record<string, { file?: string; content?: string }>;
}

/** Compose variable interpolation with an empty environment: what `docker compose config` yields without a .env. */
function interpolate(text: string, env: Record<string, string> = {}): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, name?: string, operator?: string, argument?: string, bare?: string) => {
      if (match === '$$') return '$';
      const variable = name ?? bare!;
      const value = env[variable];
      const unset = value === undefined;
      const empty = unset || value === '';
      switch (operator) {
        case undefined:
          return value ?? '';
        case ':-':
          return empty ? argument! : value;
        case '-':
          return unset ? argument! : value;
        case ':?':
        case '?':
          if (operator === ':?' ? empty : unset) throw new Error(`${variable} is required: ${argument}`);
          return value!;
        case ':+':
          return empty ? '' : argument!;
        default:
          return unset ? '' : argument!;
      }
    },
  );
}

function interpolateAll(value: unknown): unknown {
  if (typeof value === 'string') return interpolate(value);
  if (Array.isArray(value)) return value.map(interpolateAll);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, interpolateAll(inner)]));
  }
  return value;
}

function readYaml(path: string): unknown {
  // merge: Compose files use YAML merge keys (<<: *anchor).
  return parse(readFileSync(path, 'utf8'), { merge: true });
}

const composeFile = join(root, 'docker-compose.yml');
const compose = interpolateAll(readYaml(composeFile)) as Compose;
const config = loadConfig({ file: join(root, 'sentrail.yaml'), env: {} });
const services = Object.entries(compose.services);
const sentrailServices = services.filter(([, service]) => service.build !== undefined);

function environmentOf(service: Service): Record<string, string> {
  const entries = Array.isArray(service.environment)
    ? service.environment.map((line) => {
        const at = line.indexOf('=');
        return at < 0 ? [line, ''] : [line.slice(0, at), line.slice(at + 1)];
      })
    : Object.entries(service.environment ?? {}).map(([key, value]) => [key, value === null ? '' : String(value)]);
  return Object.fromEntries(entries) as Record<string, string>;
}

function buildOf(
  name: string,
  service: Service,
): { context: string; dockerfile: string; args: Record<string, string> } {
  const build = service.build;
  assert.ok(build !== undefined, `${name} has no build`);
  if (typeof build === 'string')
    return { context: resolve(root, build), dockerfile: join(resolve(root, build), 'Dockerfile'), args: {} };
  const context = resolve(root, build.context ?? '.');
  const args = Array.isArray(build.args)
    ? Object.fromEntries(build.args.map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]))
    : Object.fromEntries(Object.entries(build.args ?? {}).map(([key, value]) => [key, String(value ?? '')]));
  return { context, dockerfile: resolve(context, build.dockerfile ?? 'Dockerfile'), args };
}

function serviceNameOf(name: string, service: Service): ServiceName {
  const { args } = buildOf(name, service);
  const fromEnvironment = environmentOf(service)['SERVICE'];
  const chosen = args['SERVICE'] ?? fromEnvironment;
  assert.ok(chosen, `${name}: no SERVICE build argument`);
  if (fromEnvironment !== undefined)
    assert.equal(fromEnvironment, chosen, `${name}: SERVICE differs between build args and environment`);
  assert.ok(
    (SENTRAIL_SERVICES as readonly string[]).includes(chosen),
    `${name}: SERVICE=${chosen} is not a Sentrail service`,
  );
  return chosen as ServiceName;
}

function mountsOf(service: Service): Mount[] {
  return (service.volumes ?? []).map((volume) => {
    if (typeof volume !== 'string') return volume;
    const [source, target, mode] = volume.split(':');
    if (target === undefined) return { type: 'volume', target: source }; // anonymous volume
    const bind = /^[./~]/.test(source!);
    return { type: bind ? 'bind' : 'volume', source, target, read_only: mode?.split(',').includes('ro') ?? false };
  });
}

function bindsOf(service: Service): Mount[] {
  return mountsOf(service).filter((mount) => mount.type === 'bind');
}

/** Where a container path of a service comes from on the host, through its bind mounts. */
function hostPathOf(service: Service, containerPath: string): string | undefined {
  for (const mount of bindsOf(service)) {
    const rest = posix.relative(mount.target!, containerPath);
    if (rest === '' || (!rest.startsWith('..') && !posix.isAbsolute(rest)))
      return join(resolve(root, mount.source!), rest);
  }
  return undefined;
}

function containerPathOf(service: Service, hostPath: string): string | undefined {
  for (const mount of bindsOf(service)) {
    const rest = relative(resolve(root, mount.source!), hostPath);
    if (rest === '' || (!rest.startsWith('..') && !isAbsolute(rest))) return posix.join(mount.target!, rest);
  }
  return undefined;
}

interface Published {
  hostIp: string | undefined;
  hostPort: string | undefined;
  containerPort: number;
}

function portsOf(service: Service): Published[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'object') {
      return { hostIp: port.host_ip, hostPort: port.published?.toString(), containerPort: Number(port.target) };
    }
    const spec = String(port).replace(/\/(tcp|udp|sctp)$/, '');
    const full = /^(.*):([0-9-]*):([0-9-]+)$/.exec(spec);
    if (full) return { hostIp: full[1]!.replace(/^\[|\]$/g, ''), hostPort: full[2], containerPort: Number(full[3]) };
    const pair = /^([0-9-]+):([0-9-]+)$/.exec(spec);
    if (pair) return { hostIp: undefined, hostPort: pair[1], containerPort: Number(pair[2]) };
    return { hostIp: undefined, hostPort: undefined, containerPort: Number(spec) };
  });
}

function dependenciesOf(service: Service): Record<string, { condition: string; required: boolean }> {
  const dependsOn = service.depends_on ?? [];
  if (Array.isArray(dependsOn))
    return Object.fromEntries(dependsOn.map((name) => [name, { condition: 'service_started', required: true }]));
  return Object.fromEntries(
    Object.entries(dependsOn).map(([name, spec]) => [
      name,
      { condition: spec?.condition ?? 'service_started', required: spec?.required ?? true },
    ]),
  );
}

function healthcheckText(service: Service): string {
  const test = service.healthcheck?.test;
  if (test === undefined) return '';
  return Array.isArray(test) ? test.join(' ') : test;
}

/** The Sentrail services' view: sentrail.yaml as mounted, with the image's and the compose file's SENTRAIL_* variables. */
function effectiveConfig(name: string, service: Service): SentrailConfig {
  const env = { ...finalStage().env, ...environmentOf(service) };
  const file = hostPathOf(service, env['SENTRAIL_CONFIG'] ?? '');
  assert.ok(file, `${name}: SENTRAIL_CONFIG=${env['SENTRAIL_CONFIG']} is not a bind-mounted file`);
  return loadConfig({ file, env });
}

function pomProperty(name: string): string {
  const match = new RegExp(`<${name.replaceAll('.', '\\.')}>([^<]+)</`).exec(
    readFileSync(join(root, 'infra/pom.xml'), 'utf8'),
  );
  assert.ok(match, `infra/pom.xml has no <${name}>`);
  return match[1]!;
}

// ---- Dockerfile model ----------------------------------------------------------------------------

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
  env: Record<string, string>;
}

function dockerfileInstructions(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (/^\s*#/.test(line)) continue; // comments (also inside continuations) and parser directives
    if (pending === '' && line.trim() === '') continue;
    if (/\\\s*$/.test(line)) {
      pending += line.replace(/\\\s*$/, ' ');
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full === '') continue;
    const [, keyword, args] = /^(\S+)\s*(.*)$/s.exec(full)!;
    instructions.push({ keyword: keyword!.toUpperCase(), args: args!.trim() });
  }
  assert.equal(pending, '', 'Dockerfile ends inside a line continuation');
  return instructions;
}

/** ENV a=b c="d e" (and the legacy ENV a b); ${VAR} expanded from the stage's ARG/ENV values seen so far. */
function parseEnv(args: string, known: Record<string, string>): Record<string, string> {
  const expand = (value: string) =>
    value.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name: string) => known[name] ?? '');
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(args)) {
    const [, key, value] = /^(\S+)\s+(.*)$/s.exec(args)!;
    return { [key!]: expand(value!) };
  }
  const result: Record<string, string> = {};
  for (const [, key, quoted, plain] of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=(?:"((?:[^"\\]|\\.)*)"|(\S*))/g)) {
    result[key!] = expand(quoted ?? plain ?? '');
  }
  return result;
}

function dockerfileStages(text: string): Stage[] {
  const stages: Stage[] = [];
  const globalArgs: Record<string, string> = {};
  for (const instruction of dockerfileInstructions(text)) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((word) => !word.startsWith('--'));
      const image = words[0]!.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name: string) => globalArgs[name] ?? '');
      const name = words[1]?.toUpperCase() === 'AS' ? words[2] : undefined;
      stages.push({ image, name, instructions: [], env: {} });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) {
      if (instruction.keyword === 'ARG') {
        const [key, value = ''] = instruction.args.split(/=(.*)/s);
        globalArgs[key!] = value.replace(/^"|"$/g, '');
      }
      continue;
    }
    stage.instructions.push(instruction);
    if (instruction.keyword === 'ENV') Object.assign(stage.env, parseEnv(instruction.args, stage.env));
  }
  return stages;
}

const dockerfilePath = join(root, 'Dockerfile');
const stages = existsSync(dockerfilePath) ? dockerfileStages(readFileSync(dockerfilePath, 'utf8')) : [];
function finalStage(): Stage {
  const stage = stages.at(-1);
  assert.ok(stage, 'the Dockerfile has no FROM');
  return stage;
}

const OFFICIAL_NODE_20_SLIM = /^(docker\.io\/(library\/)?)?node:20(\.\d+){0,2}-bookworm-slim(@sha256:[0-9a-f]{64})?$/;

// ---- the checks ----------------------------------------------------------------------------------

describe('docker-compose.yml', () => {
  it('has every service the design needs, none of them behind a profile', () => {
    for (const name of [...INFRA_SERVICES, ...SENTRAIL_SERVICES]) {
      assert.ok(compose.services[name], `service ${name} is missing`);
      assert.deepEqual(compose.services[name].profiles ?? [], [], `${name} must start without a profile`);
    }
    for (const name of LOCAL_AWS_SERVICES) {
      assert.ok(compose.services[name], `service ${name} is missing`);
      assert.deepEqual(compose.services[name].profiles, ['local-aws'], `${name} belongs to the local-aws profile`);
    }
  });

  it('runs the infrastructure from official, pinned images at the versions infra/ uses', () => {
    const image = (name: string) => compose.services[name]?.image ?? '';
    assert.equal(image('kafka'), `apache/kafka:${pomProperty('kafka.version')}`);
    assert.match(image('kafka'), /^apache\/kafka:3\.9\.\d+$/);
    assert.equal(
      image('elasticsearch'),
      `docker.elastic.co/elasticsearch/elasticsearch:${pomProperty('elasticsearch.version')}`,
    );
    assert.match(image('elasticsearch'), /:8\.19\.\d+$/);
    assert.match(image('grafana'), /^grafana\/grafana:1[12]\.\d+\.\d+$/);
    assert.equal(image('elasticmq'), `softwaremill/elasticmq-native:${pomProperty('elasticmq.version')}`);
    assert.equal(image('s3proxy'), `andrewgaul/s3proxy:s3proxy-${pomProperty('s3proxy.version')}`);
  });

  it('builds exactly the four Sentrail services, each from a Dockerfile that exists, naming a service with a src/index.ts', () => {
    const built = sentrailServices.map(([name, service]) => {
      const { context, dockerfile } = buildOf(name, service);
      assert.ok(existsSync(dockerfile) && statSync(dockerfile).isFile(), `${name}: ${dockerfile} does not exist`);
      assert.equal(context, root.replace(/\/$/, ''), `${name}: the build context must be the repository root`);
      const serviceName = serviceNameOf(name, service);
      assert.equal(serviceName, name, `${name}: SERVICE must match the compose service name`);
      assert.ok(
        existsSync(join(root, 'services', serviceName, 'src/index.ts')),
        `services/${serviceName}/src/index.ts does not exist`,
      );
      return serviceName;
    });
    assert.deepEqual([...built].sort(), [...SENTRAIL_SERVICES].sort());
  });

  it('mounts only host paths that exist in the repository, and the config read-only where SENTRAIL_CONFIG points', () => {
    for (const [name, service] of services) {
      for (const mount of bindsOf(service)) {
        const source = resolve(root, mount.source!);
        assert.ok(existsSync(source), `${name}: bind-mounted ${mount.source} does not exist`);
        assert.ok(!relative(root, source).startsWith('..'), `${name}: ${mount.source} is outside the repository`);
      }
    }
    for (const [name, service] of sentrailServices) {
      const target = environmentOf(service)['SENTRAIL_CONFIG'];
      assert.ok(target, `${name}: SENTRAIL_CONFIG is not set`);
      const mount = bindsOf(service).find((candidate) => candidate.target === target);
      assert.ok(mount, `${name}: nothing is mounted at SENTRAIL_CONFIG=${target}`);
      assert.equal(
        resolve(root, mount.source!),
        join(root, 'sentrail.yaml'),
        `${name}: ${target} must be ./sentrail.yaml`,
      );
      assert.equal(mount.read_only, true, `${name}: the configuration must be mounted read-only`);
    }
  });

  it('declares every named volume and config it uses, and uses every one it declares', () => {
    const declaredVolumes = Object.keys(compose.volumes ?? {});
    const declaredConfigs = Object.keys(compose.configs ?? {});
    const usedVolumes = new Set<string>();
    const usedConfigs = new Set<string>();
    for (const [name, service] of services) {
      for (const mount of mountsOf(service).filter((candidate) => candidate.type === 'volume' && candidate.source)) {
        assert.ok(
          declaredVolumes.includes(mount.source!),
          `${name}: volume ${mount.source} is not declared under volumes`,
        );
        usedVolumes.add(mount.source!);
      }
      for (const entry of service.configs ?? []) {
        const source = typeof entry === 'string' ? entry : entry.source;
        assert.ok(declaredConfigs.includes(source), `${name}: config ${source} is not declared under configs`);
        usedConfigs.add(source);
      }
    }
    assert.deepEqual([...usedVolumes].sort(), [...declaredVolumes].sort(), 'declared and used volumes differ');
    assert.deepEqual([...usedConfigs].sort(), [...declaredConfigs].sort(), 'declared and used configs differ');
    for (const [name, spec] of Object.entries(compose.configs ?? {})) {
      if (spec.file !== undefined)
        assert.ok(existsSync(resolve(root, spec.file)), `config ${name}: ${spec.file} does not exist`);
      else assert.equal(typeof spec.content, 'string', `config ${name} has neither file nor content`);
    }
    for (const name of ['kafka', 'elasticsearch', 'grafana']) {
      assert.ok(
        mountsOf(compose.services[name]!).some((mount) => mount.type === 'volume' && mount.source),
        `${name} keeps its data in a named volume`,
      );
    }
  });

  it('publishes every port on 127.0.0.1 only', () => {
    for (const [name, service] of services) {
      for (const port of portsOf(service)) {
        assert.equal(
          port.hostIp,
          '127.0.0.1',
          `${name}: container port ${port.containerPort} is published on every interface`,
        );
        assert.ok(port.hostPort, `${name}: container port ${port.containerPort} has no fixed host port`);
      }
    }
  });

  it("publishes each Sentrail service's port from sentrail.yaml, on the same host port", () => {
    for (const [name, service] of sentrailServices) {
      const serviceName = serviceNameOf(name, service);
      const expected = config[serviceName].port;
      assert.deepEqual(
        portsOf(service).map((port) => port.containerPort),
        [expected],
        `${name}: container port must be ${expected} (sentrail.yaml ${serviceName}.port)`,
      );
      assert.equal(portsOf(service)[0]!.hostPort, String(expected), `${name}: host port must equal the local default`);
    }
  });

  it('gives each Sentrail service a valid configuration: host 0.0.0.0, brokers and node inside the network', () => {
    const kafkaListeners = environmentOf(compose.services['kafka']!)['KAFKA_ADVERTISED_LISTENERS'] ?? '';
    for (const [name, service] of sentrailServices) {
      const serviceName = serviceNameOf(name, service);
      assert.equal(
        environmentOf(service)[`SENTRAIL_${serviceName.toUpperCase()}__HOST`],
        '0.0.0.0',
        `${name}: SENTRAIL_${serviceName.toUpperCase()}__HOST must be 0.0.0.0`,
      );
      // loadConfig rejects unknown SENTRAIL_* keys and invalid values, naming them.
      const effective = effectiveConfig(name, service);
      assert.equal(effective[serviceName].host, '0.0.0.0');
      assert.equal(
        effective[serviceName].port,
        config[serviceName].port,
        `${name}: the port must stay the one in sentrail.yaml`,
      );
      for (const broker of effective.kafka.brokers) {
        const [host] = broker.split(':');
        assert.equal(
          compose.services[host!]?.image?.startsWith('apache/kafka:'),
          true,
          `${name}: broker ${broker} is not the kafka service`,
        );
        assert.ok(
          kafkaListeners.split(',').some((listener) => listener.endsWith(`://${broker}`)),
          `${name}: kafka does not advertise ${broker}`,
        );
      }
      const node = new URL(effective.elasticsearch.node);
      assert.match(
        compose.services[node.hostname]?.image ?? '',
        /elasticsearch/,
        `${name}: ${node.href} is not the elasticsearch service`,
      );
      assert.equal(node.port || '80', '9200', `${name}: elasticsearch listens on 9200`);
    }
  });

  it('points the ingest at ElasticMQ and s3proxy by default, with the queue and bucket of sentrail.yaml', () => {
    const ingest = effectiveConfig('ingest', compose.services['ingest']!);
    const sqs = new URL(ingest.aws.sqsEndpoint);
    const s3 = new URL(ingest.aws.s3Endpoint);
    assert.equal(sqs.hostname, 'elasticmq');
    assert.equal(s3.hostname, 's3proxy');
    const elasticmq = compose.configs?.['elasticmq']?.content ?? '';
    assert.match(elasticmq, new RegExp(`bind-port\\s*=\\s*${sqs.port}\\b`), 'ElasticMQ listens on the endpoint port');
    assert.match(elasticmq, /host\s*=\s*"elasticmq"/, 'QueueUrls must name the elasticmq host');
    assert.match(elasticmq, new RegExp(`port\\s*=\\s*${sqs.port}\\b`));
    assert.match(
      elasticmq,
      new RegExp(`^\\s*${ingest.ingest.cloudtrailQueue}\\s*\\{`, 'm'),
      'the cloudtrail queue is created',
    );
    const s3proxy = compose.services['s3proxy']!;
    assert.equal(
      new URL(environmentOf(s3proxy)['S3PROXY_ENDPOINT'] ?? '').port,
      s3.port,
      's3proxy listens on the endpoint port',
    );
    const entrypoint = [s3proxy.entrypoint ?? []].flat().join(' ');
    assert.match(
      entrypoint,
      new RegExp(`mkdir -p /data/${ingest.ingest.cloudtrailBucket}\\b`),
      'the cloudtrail bucket is created',
    );
    const dependencies = dependenciesOf(compose.services['ingest']!);
    for (const name of LOCAL_AWS_SERVICES) {
      assert.equal(
        dependencies[name]?.required,
        false,
        `ingest must also start without the local-aws profile (${name})`,
      );
    }
  });

  it('depends only on defined services, waiting for health where a healthcheck exists', () => {
    for (const [name, service] of services) {
      for (const [dependency, { condition }] of Object.entries(dependenciesOf(service))) {
        const target = compose.services[dependency];
        assert.ok(target, `${name} depends on undefined service ${dependency}`);
        assert.ok(
          ['service_started', 'service_healthy', 'service_completed_successfully'].includes(condition),
          condition,
        );
        if (condition === 'service_healthy') {
          assert.ok(
            target.healthcheck?.test && !target.healthcheck.disable,
            `${name} waits for ${dependency} to be healthy, which has no healthcheck`,
          );
        }
      }
    }
    for (const [name, service] of sentrailServices) {
      const dependencies = dependenciesOf(service);
      for (const infra of ['kafka', 'elasticsearch']) {
        assert.equal(dependencies[infra]?.condition, 'service_healthy', `${name} must wait for ${infra} to be healthy`);
      }
    }
  });

  it("checks each Sentrail service's health on /readyz of its own port", () => {
    for (const [name, service] of sentrailServices) {
      const text = healthcheckText(service);
      assert.match(
        String(service.healthcheck?.test?.[0]),
        /^CMD(-SHELL)?$/,
        `${name}: healthcheck test must start with CMD or CMD-SHELL`,
      );
      const url = /https?:\/\/(?:127\.0\.0\.1|localhost|\[::1\]):(\d+)(\/[^\s'"`)]*)/.exec(text);
      assert.ok(url, `${name}: the healthcheck calls no local URL: ${text}`);
      assert.equal(url[2], '/readyz', `${name}: the healthcheck must call /readyz`);
      assert.equal(
        Number(url[1]),
        config[serviceNameOf(name, service)].port,
        `${name}: the healthcheck calls another port`,
      );
    }
    for (const name of ['kafka', 'elasticsearch']) {
      assert.ok(healthcheckText(compose.services[name]!), `${name} needs a healthcheck: the services wait for it`);
    }
  });

  it('provisions Grafana with the sentrail-events datasource and a dashboards folder that exists', () => {
    const grafana = compose.services['grafana']!;
    const provisioning = join(root, 'dashboards/provisioning');
    const files = (kind: string) =>
      readdirSync(join(provisioning, kind))
        .filter((file) => /\.ya?ml$/.test(file))
        .map((file) => join(provisioning, kind, file));
    for (const kind of ['datasources', 'dashboards']) {
      assert.equal(
        containerPathOf(grafana, join(provisioning, kind)),
        `/etc/grafana/provisioning/${kind}`,
        `provisioning/${kind} is not mounted`,
      );
      assert.ok(files(kind).length > 0, `dashboards/provisioning/${kind} has no YAML file`);
    }

    const datasources = files('datasources').flatMap(
      (file) =>
        (readYaml(file) as { datasources?: { type?: string; url?: string; jsonData?: Record<string, unknown> }[] })
          .datasources ?? [],
    );
    const events = datasources.find(
      (source) => source.type === 'elasticsearch' && source.jsonData?.['index'] === 'sentrail-events',
    );
    assert.ok(events, 'no elasticsearch datasource on the sentrail-events alias');
    assert.equal(events.jsonData?.['timeField'], '@timestamp');
    const url = new URL(events.url ?? '');
    assert.match(
      compose.services[url.hostname]?.image ?? '',
      /elasticsearch/,
      `${url.href} is not the elasticsearch service`,
    );
    assert.equal(url.port, '9200');

    const providers = files('dashboards').flatMap(
      (file) => (readYaml(file) as { providers?: { type?: string; options?: { path?: string } }[] }).providers ?? [],
    );
    assert.ok(providers.length > 0, 'no dashboard provider');
    for (const provider of providers) {
      assert.equal(provider.type ?? 'file', 'file');
      const path = provider.options?.path ?? '';
      const host = hostPathOf(grafana, path);
      assert.ok(host, `dashboard provider path ${path} is not bind-mounted into grafana`);
      assert.ok(existsSync(host) && statSync(host).isDirectory(), `${relative(root, host)} does not exist`);
    }
  });

  it("has Prometheus scrape every Sentrail service on its port, and Grafana's Prometheus datasource read it", () => {
    const prometheus = compose.services['prometheus']!;
    assert.match(prometheus.image ?? '', /^prom\/prometheus:v\d/);
    const configEntry = (prometheus.configs ?? []).find(
      (entry) => typeof entry !== 'string' && entry.target === '/etc/prometheus/prometheus.yml',
    );
    assert.ok(
      configEntry && typeof configEntry !== 'string',
      'prometheus: no configuration at /etc/prometheus/prometheus.yml',
    );
    const scrape = parse(compose.configs?.[configEntry.source]?.content ?? '') as {
      scrape_configs?: { metrics_path?: string; static_configs?: { targets?: string[] }[] }[];
    };
    const targets = (scrape.scrape_configs ?? []).flatMap((job) => {
      assert.equal(job.metrics_path ?? '/metrics', '/metrics');
      return (job.static_configs ?? []).flatMap((group) => group.targets ?? []);
    });
    const expected = sentrailServices.map(([name, service]) => `${name}:${config[serviceNameOf(name, service)].port}`);
    assert.deepEqual(
      [...targets].sort(),
      [...expected].sort(),
      'Prometheus must scrape each Sentrail service on its port',
    );

    const datasources = readdirSync(join(root, 'dashboards/provisioning/datasources'))
      .filter((file) => /\.ya?ml$/.test(file))
      .flatMap(
        (file) =>
          (
            readYaml(join(root, 'dashboards/provisioning/datasources', file)) as {
              datasources?: { type?: string; url?: string }[];
            }
          ).datasources ?? [],
      );
    const source = datasources.find((candidate) => candidate.type === 'prometheus');
    assert.ok(source, 'no Prometheus datasource is provisioned');
    const url = new URL(source.url ?? '');
    assert.equal(compose.services[url.hostname], prometheus, `${url.href} is not the prometheus service`);
    assert.ok(
      portsOf(prometheus).some((port) => String(port.containerPort) === url.port),
      `prometheus does not listen on ${url.port}`,
    );
  });
});

describe('Dockerfile', () => {
  it('builds on node:20 (bookworm-slim): npm ci, then tsc -b, then npm prune --omit=dev', () => {
    assert.ok(stages.length >= 2, 'a multi-stage build is expected');
    const copiedFrom = finalStage()
      .instructions.filter((instruction) => instruction.keyword === 'COPY')
      .map((instruction) => /--from=(\S+)/.exec(instruction.args)?.[1])
      .filter((from): from is string => from !== undefined);
    for (const from of copiedFrom) {
      const index = stages.findIndex((stage, i) => stage.name === from || String(i) === from);
      assert.ok(index >= 0 && index < stages.length - 1, `COPY --from=${from} names no earlier stage`);
    }
    const build = stages.find((stage) => stage.name !== undefined && copiedFrom.includes(stage.name));
    assert.ok(build, 'the final stage copies from no build stage');
    assert.match(build.image, OFFICIAL_NODE_20_SLIM);
    const runs = build.instructions
      .filter((instruction) => instruction.keyword === 'RUN')
      .map((instruction) => instruction.args)
      .join('\n');
    const order = [/\bnpm ci\b/, /\btsc -b\b/, /\bnpm prune --omit=dev\b/].map((step) => runs.search(step));
    assert.ok(
      order.every((at) => at >= 0),
      `missing build steps: ${order.join(',')}`,
    );
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
      'npm ci, tsc -b and npm prune must run in that order',
    );
  });

  it('runs the final stage on an official node image as a non-root user, in production mode', () => {
    const stage = finalStage();
    assert.match(stage.image, OFFICIAL_NODE_20_SLIM);
    const user = stage.instructions
      .filter((instruction) => instruction.keyword === 'USER')
      .at(-1)
      ?.args.split(':')[0];
    assert.ok(user, 'the final stage sets no USER, so it runs as root');
    assert.ok(!['root', '0'].includes(user), `the final stage runs as ${user}`);
    assert.equal(stage.env['NODE_ENV'], 'production');
    assert.ok(
      stage.instructions.some((instruction) => instruction.keyword === 'HEALTHCHECK'),
      'no HEALTHCHECK',
    );
  });

  it('takes the service as SERVICE and starts services/$SERVICE/dist/index.js', () => {
    const stage = finalStage();
    assert.ok(
      stage.instructions.some((instruction) => instruction.keyword === 'ARG' && /^SERVICE\b/.test(instruction.args)),
      'the final stage declares no ARG SERVICE',
    );
    assert.ok('SERVICE' in stage.env, 'SERVICE is not kept in the environment for the command');
    const start = stage.instructions
      .filter((instruction) => instruction.keyword === 'CMD' || instruction.keyword === 'ENTRYPOINT')
      .map((instruction) => instruction.args)
      .join(' ');
    assert.match(start, /node\b.*services\/\$\{?SERVICE\}?\/dist\/index\.js/);
  });

  it('copies from the build context only files that exist and are not ignored', () => {
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    for (const pattern of [
      'node_modules',
      '**/node_modules',
      'dist',
      '**/dist',
      '**/*.tsbuildinfo',
      '.local',
      '.git',
      'bench/results',
    ]) {
      assert.ok(ignored.includes(pattern), `.dockerignore must exclude ${pattern}`);
    }
    for (const stage of stages) {
      for (const instruction of stage.instructions.filter((candidate) => ['COPY', 'ADD'].includes(candidate.keyword))) {
        if (/--from=/.test(instruction.args) || instruction.args.startsWith('[') || instruction.args.startsWith('<<'))
          continue;
        const words = instruction.args.split(/\s+/).filter((word) => !word.startsWith('--'));
        for (const source of words.slice(0, -1)) {
          assert.ok(existsSync(join(root, source)), `${instruction.keyword} ${source}: not in the repository`);
          const top = source.replace(/\/$/, '');
          assert.ok(!ignored.includes(top), `${instruction.keyword} ${source}: excluded by .dockerignore`);
        }
      }
    }
  });
});
