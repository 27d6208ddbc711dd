// The auditor evidence report for PCI DSS requirement 10 (auditors and admins): for a period, each
// sub-requirement's figures, its verdict and the request that reproduces each figure, as JSON (the
// figures themselves) or as the self-contained HTML page the web UI opens. The signed bundle with the
// PDF is made by `sentrail report pci-dss-10`.
import type { RouteGroup } from '../app.js';
import type { Role } from '../auth/roles.js';
import { answerBadRequests, errorSchema } from '../query/bad-request.js';
import { checkTimeRange, MAX_RANGE_DAYS } from '../query/time-range.js';
import { renderReportHtml, REPORT_STYLE_SOURCE } from '../reports/pci-dss-10/report-html.js';
import { buildPciReport } from '../reports/pci-dss-10/report.js';

const REPORT_READERS: readonly Role[] = ['auditor', 'admin'];
const FORMATS = ['json', 'html'] as const;

/** The HTML page may apply its own stylesheet and nothing else: no script, no request of any kind. */
const HTML_POLICY = `default-src 'none'; style-src ${REPORT_STYLE_SOURCE}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

const dateTime = { type: 'string', format: 'date-time' } as const;
const cellValue = { type: ['string', 'number', 'null'] } as const;

const reproduce = {
  description:
    'What gives the figure: the Elasticsearch request to send, else a Prometheus query or a configuration key',
  anyOf: [
    {
      type: 'object',
      properties: {
        elasticsearch: {
          type: 'object',
          properties: {
            method: { type: 'string', enum: ['GET', 'POST'] },
            path: { type: 'string' },
            body: { description: 'The JSON body, as sent' },
          },
          required: ['method', 'path'],
        },
      },
      required: ['elasticsearch'],
    },
    { type: 'object', properties: { prometheus: { type: 'string' } }, required: ['prometheus'] },
    { type: 'object', properties: { configuration: { type: 'string' } }, required: ['configuration'] },
  ],
} as const;

const section = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'The PCI DSS v4.0 number, e.g. 10.2.1.4' },
    title: { type: 'string' },
    requirement: { type: 'string', description: 'What PCI DSS v4.0 asks' },
    evidence: { type: 'string', enum: ['sufficient', 'insufficient', 'not-measured'] },
    why: { type: 'string' },
    figures: {
      type: 'array',
      items: {
        type: 'object',
        properties: { label: { type: 'string' }, value: cellValue, unit: { type: 'string' }, reproduce },
        required: ['label', 'value', 'reproduce'],
      },
    },
    tables: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          title: { type: 'string' },
          columns: { type: 'array', items: { type: 'string' } },
          rows: { type: 'array', items: { type: 'array', items: cellValue } },
          reproduce,
        },
        required: ['title', 'columns', 'rows'],
      },
    },
  },
  required: ['id', 'title', 'requirement', 'evidence', 'why', 'figures', 'tables'],
} as const;

const report = {
  type: 'object',
  properties: {
    report: { type: 'string', enum: ['pci-dss-10'] },
    range: { type: 'object', properties: { from: dateTime, to: dateTime }, required: ['from', 'to'] },
    generated_at: dateTime,
    generated_by: {
      type: 'object',
      properties: { name: { type: 'string' }, key_id: { type: 'string' }, role: { type: 'string' } },
      required: ['name'],
    },
    index_prefix: { type: 'string' },
    sections: { type: 'array', items: section },
  },
  required: ['report', 'range', 'generated_at', 'generated_by', 'index_prefix', 'sections'],
} as const;

interface ReportQuery {
  from: string;
  to: string;
  format: (typeof FORMATS)[number];
}

export const reportRoutes: RouteGroup = async (app, { deps }) => {
  const { config, elastic } = deps;
  answerBadRequests(app);

  app.get<{ Querystring: ReportQuery }>(
    '/v1/reports/pci-dss-10',
    {
      config: { roles: REPORT_READERS },
      schema: {
        summary: 'The PCI DSS requirement 10 evidence report of a period',
        description:
          'One section per sub-requirement (10.2.1.1 … 10.7): the figures Sentrail holds for the events with ' +
          `from <= @timestamp < to (at most ${MAX_RANGE_DAYS} days), whether they are sufficient evidence and why, ` +
          'and beside each figure the Elasticsearch request (or Prometheus query, or configuration key) that ' +
          'reproduces it. format=html gives the same as a self-contained page; `sentrail report pci-dss-10` ' +
          'writes it with its PDF as a signed bundle.',
        tags: ['reports'],
        querystring: {
          type: 'object',
          properties: {
            from: { ...dateTime, description: 'Inclusive' },
            to: { ...dateTime, description: 'Exclusive; later than from' },
            format: { type: 'string', enum: FORMATS, default: 'json' },
          },
          required: ['from', 'to'],
          additionalProperties: false,
        },
        response: {
          200: {
            description: 'The report',
            content: {
              'application/json': { schema: report },
              'text/html': { schema: { type: 'string' } },
            },
          },
          400: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const range = checkTimeRange(request.query.from, request.query.to, 'querystring');
      const { name, keyId, role } = request.principal!;
      let built;
      try {
        built = await buildPciReport({
          elastic,
          prefix: config.elasticsearch.indexPrefix,
          retention: config.normalizer.retention,
          range,
          generatedBy: { name, key_id: keyId, role },
        });
      } catch (failure) {
        // Every input was checked above: what fails now is Elasticsearch, or Sentrail, never the request.
        throw Object.assign(new Error('Elasticsearch failed to build the report', { cause: failure }), {
          statusCode: 503,
        });
      }
      reply.header('cache-control', 'no-store');
      if (request.query.format === 'html')
        return reply
          .type('text/html; charset=utf-8')
          .header('content-security-policy', HTML_POLICY)
          .send(renderReportHtml(built));
      return reply.type('application/json; charset=utf-8').send(built);
    },
  );
};
