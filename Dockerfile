# syntax=docker/dockerfile:1

# ---- build: compile TypeScript and the better-sqlite3 native addon ----
FROM node:22-bookworm-slim AS build
WORKDIR /app

# node-gyp needs a toolchain when no prebuilt better-sqlite3 binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

COPY package.json package-lock.json ./
# The root "prepare" script runs tsc, which cannot work before the sources are
# copied, so install without scripts and build the native addon explicitly.
# This keeps the dependency layer cached across source-only changes.
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3

COPY . .
RUN npm run build && npm prune --omit=dev

# ---- runtime: no compiler, production dependencies only ----
FROM node:22-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    VIGIL_PORT=9095 \
    VIGIL_DB=/data/vigil.db \
    VIGIL_CONFIG=/app/vigil.yaml

# package.json must ship: its "type": "module" is what makes dist/*.js load as ESM.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/vigil.yaml ./vigil.yaml
COPY --from=build /app/rules ./rules
COPY --from=build /app/runbooks ./runbooks

# A new named volume inherits this ownership, so the non-root user can write the DB.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]

EXPOSE 9095

# Slim images have no curl; Node 22 has a global fetch.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.VIGIL_PORT || 9095) + '/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["node", "dist/cli/main.js", "serve"]
