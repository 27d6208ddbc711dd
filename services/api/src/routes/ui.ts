// The web UI (services/api/src/ui/static): plain files, public like /docs, since the page holds no
// data until the user signs in with an API key. And /v1/whoami, which the UI asks at sign-in to
// check the key and to show only what the key's role may do.
//
// tsc compiles only .ts into dist/, so the files are served from the source tree, found relative to
// this module (dist/routes/ui.js → src/ui/static/): anything that ships dist/ must ship that folder too.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { RouteGroup } from '../app.js';
import { ROLES } from '../auth/roles.js';

const UI_ROOT = fileURLToPath(new URL('../../src/ui/static/', import.meta.url));

export const uiRoutes: RouteGroup = async (app) => {
  if (!existsSync(`${UI_ROOT}index.html`)) throw new Error(`the web UI's files are missing: no ${UI_ROOT}index.html`);

  app.get(
    '/v1/whoami',
    {
      config: { roles: ROLES },
      schema: {
        summary: 'The name and role of the API key the request is made with',
        tags: ['session'],
        response: {
          200: {
            type: 'object',
            properties: { name: { type: 'string' }, role: { type: 'string', enum: ROLES } },
            required: ['name', 'role'],
          },
        },
      },
    },
    async (request) => ({ name: request.principal!.name, role: request.principal!.role }),
  );

  await app.register(async (files) => {
    // Scoped to this child plugin: only the UI's files become public, not the route above.
    files.addHook('onRoute', (route) => {
      route.config = { ...route.config, roles: 'public' };
    });
    // One route per file found at start (no wildcard route): an unknown path stays a 404 of the API.
    await files.register(fastifyStatic, { root: UI_ROOT, wildcard: false });
  });
};
