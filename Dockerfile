# maintbot's production image. Build: docker build -t maintbot .
# NODE_IMAGE lets you pin a digest or use a mirror: --build-arg NODE_IMAGE=registry.example.com/node:20-bookworm-slim
ARG NODE_IMAGE=node:20-bookworm-slim

# Build stage: compile TypeScript with the dev dependencies.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies, compiled code and the shipped definitions only.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# pg_dump / pg_restore for the backup and restore-test runbooks.
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client ca-certificates \
 && rm -rf /var/lib/apt/lists/*
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
# --max-semi-space-size=2: a young generation of at most 2 MB per semi-space, not 16 (docs/DEPLOY.md, "Memory").
ENTRYPOINT ["node", "--max-semi-space-size=2", "dist/main.js"]
