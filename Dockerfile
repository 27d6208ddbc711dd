# syntax=docker/dockerfile:1
#
# One image recipe for the four Sentrail services (DESIGN.md §2, §5). The service is chosen with the
# build argument SERVICE (ingest | normalizer | correlator | api), or at run time with the
# environment variable of the same name:
#
#   docker build --build-arg SERVICE=api -t sentrail-api .
#   docker run --rm -p 127.0.0.1:8080:8080 -v "$PWD/sentrail.yaml:/etc/sentrail/sentrail.yaml:ro" sentrail-api
#
# docker-compose.yml builds it once per service. Configuration: /etc/sentrail/sentrail.yaml (a copy
# of the repository's sentrail.yaml; mount your own over it), plus SENTRAIL_<SECTION>__<KEY> overrides.

# ---------------------------------------------------------------------------------------------------
# build: install every dependency, compile TypeScript, then drop the development dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /src

# Manifests first, so the npm ci layer is reused while only sources change. npm ci needs the
# package.json of every workspace named in the root package.json (lib, services/*, test, bench, dashboards).
COPY package.json package-lock.json ./
COPY lib/package.json lib/
COPY services/ingest/package.json services/ingest/
COPY services/normalizer/package.json services/normalizer/
COPY services/correlator/package.json services/correlator/
COPY services/api/package.json services/api/
COPY test/package.json test/
COPY bench/package.json bench/
COPY dashboards/package.json dashboards/
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund

# .dockerignore keeps dist/ and *.tsbuildinfo out, so tsc -b always emits a fresh build. Only the
# projects that ship are built (the tests are not part of the image).
COPY tsconfig.base.json tsconfig.json ./
COPY lib/ lib/
COPY services/ services/
RUN npx tsc -b lib services/ingest services/normalizer services/correlator services/api \
 && npm prune --omit=dev --no-audit --no-fund

# Assemble exactly what runs in /out: manifests, production node_modules (with the workspace
# symlinks node_modules/@sentrail/* -> ../../lib, ../../services/*), each package's dist/ without
# declarations and compiled tests. Links left dangling (node_modules/@sentrail/test, .bin entries of
# pruned tools) are removed; the last lines fail the build if an entry point is missing.
RUN set -eu; \
    mkdir -p /out; \
    cp -a package.json node_modules /out/; \
    for pkg in lib services/*; do \
      mkdir -p "/out/$pkg"; \
      cp -a "$pkg/package.json" "$pkg/dist" "/out/$pkg/"; \
      if [ -d "$pkg/node_modules" ]; then cp -a "$pkg/node_modules" "/out/$pkg/"; fi; \
    done; \
    # The web UI's files are served from the API's source tree (services/api/src/routes/ui.ts).
    mkdir -p /out/services/api/src/ui; \
    cp -a services/api/src/ui/static /out/services/api/src/ui/; \
    find /out -path /out/node_modules -prune -o \
      \( -name '*.tsbuildinfo' -o -name '*.d.ts' -o -name '*.d.ts.map' -o -name '*.test.js' -o -name '*.test.js.map' \) \
      -type f -print | xargs -r rm -f; \
    find /out/node_modules -xtype l -delete; \
    test -f /out/node_modules/@sentrail/lib/dist/config.js; \
    for svc in ingest normalizer correlator api; do test -f "/out/services/$svc/dist/index.js"; done; \
    test -f /out/services/api/src/ui/static/index.html

# ---------------------------------------------------------------------------------------------------
# runtime: Node.js and the compiled services only, as the unprivileged `node` user.
FROM node:20-bookworm-slim AS runtime

# In a container the services listen on every interface; the port stays the one in the config.
ENV NODE_ENV=production \
    SENTRAIL_CONFIG=/etc/sentrail/sentrail.yaml \
    SENTRAIL_INGEST__HOST=0.0.0.0 \
    SENTRAIL_NORMALIZER__HOST=0.0.0.0 \
    SENTRAIL_CORRELATOR__HOST=0.0.0.0 \
    SENTRAIL_API__HOST=0.0.0.0 \
    SENTRAIL_API__SIGNING_KEY_FILE=/app/.local/export-signing-key.pem

WORKDIR /app
# Owned by root and read-only for the service user: the code cannot be changed by the process.
COPY --from=build /out/ /app/
COPY sentrail.yaml /etc/sentrail/sentrail.yaml
# The correlator's rules (correlator.rulesDir, relative to /app); mount your own pack over it.
COPY rules/ /app/rules/

# After the shared layers, so the four service images differ only in this metadata.
ARG SERVICE=""
ENV SERVICE=${SERVICE}
LABEL org.opencontainers.image.title="sentrail-${SERVICE}" \
      org.opencontainers.image.description="Sentrail audit-log SIEM service (${SERVICE})" \
      org.opencontainers.image.licenses="Apache-2.0"

# api, ingest, normalizer, correlator (sentrail.yaml defaults)
EXPOSE 8080 8081 8082 8083

# Writable by the service for its state (a volume in docker-compose.yml); the rest stays read-only.
RUN mkdir -p /app/.local && chown node:node /app/.local
USER node

# Reads the same configuration as the service (file + SENTRAIL_* overrides), so it follows the port.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "--input-type=module", "-e", "import { loadConfig } from '@sentrail/lib/config'; const { port } = loadConfig()[process.env.SERVICE]; const r = await fetch('http://127.0.0.1:' + port + '/readyz', { signal: AbortSignal.timeout(4000) }).catch(() => undefined); process.exit(r?.ok ? 0 : 1);"]

# exec: node becomes the main process and receives SIGTERM itself (graceful shutdown, DESIGN.md §6).
CMD ["/bin/sh", "-c", "if [ ! -f \"services/$SERVICE/dist/index.js\" ]; then echo \"sentrail: set SERVICE to ingest, normalizer, correlator or api (got '$SERVICE')\" >&2; exit 64; fi; exec node --enable-source-maps \"services/$SERVICE/dist/index.js\""]
