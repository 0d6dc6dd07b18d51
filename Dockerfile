# maintbot's production image. Build: docker build -t maintbot .
# NODE_IMAGE lets you pin a digest or use a mirror: --build-arg NODE_IMAGE=registry.example.com/node:22-trixie-slim
# Debian trixie, because its postgresql-client is 17: pg_dump refuses a server newer than itself, and a newer
# pg_dump dumps older servers, so the client must be at least the newest server it backs up (docs/DEPLOY.md).
# Node 22 (package.json asks for >= 20.11; Node 20 is past its end of life).
ARG NODE_IMAGE=node:22-trixie-slim

# Build stage: bundle the TypeScript (esbuild, a dev dependency) into dist/
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies, compiled code and the shipped definitions only.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# pg_dump / pg_restore 17 for the backup and restore-test runbooks (Debian trixie's postgresql-client);
# jemalloc, preloaded below, under one path whatever the architecture.
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client ca-certificates libjemalloc2 \
 && rm -rf /var/lib/apt/lists/* \
 && ln -s "/usr/lib/$(uname -m)-linux-gnu/libjemalloc.so.2" /usr/local/lib/libjemalloc.so.2
# jemalloc hands freed pages back to the kernel at once; glibc's malloc keeps what bursts of short-lived
# buffers freed as resident memory (docs/DEPLOY.md, "Memory"). Unset LD_PRELOAD to run on glibc's.
ENV LD_PRELOAD=/usr/local/lib/libjemalloc.so.2 \
    MALLOC_CONF=dirty_decay_ms:0,muzzy_decay_ms:0
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY config ./config
COPY commands ./commands
COPY runbooks ./runbooks
# The audit trail's JSON-lines file (when no DATABASE_URL is set) lives in /app/.maintbot: mount a volume there.
RUN mkdir -p /app/.maintbot && chown node:node /app/.maintbot
USER node
# /healthz, /readyz and /metrics (observability.port).
EXPOSE 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["node", "dist/observability/healthcheck.js"]
# --max-semi-space-size=2: a young generation of at most 2 MB per semi-space, not 16; --no-opt: no optimizing
# compiler, 8 MB less resident and the same ack latency for this I/O-bound process (docs/DEPLOY.md, "Memory").
ENTRYPOINT ["node", "--max-semi-space-size=2", "--no-opt", "dist/main.js"]
