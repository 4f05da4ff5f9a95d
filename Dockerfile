# Build: compile TypeScript with the dev dependencies. --omit=optional leaves out the Node.js
# binaries the lockfile carries for machines whose own Node.js is older (glibc builds: they do not
# run on Alpine); the image's Node.js is the one to use.
FROM node:24-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=optional --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY scripts/setup.mjs ./scripts/
COPY src ./src
RUN npm run build

# Production dependencies only. --omit=optional too: TypeScript, an optional peer of
# @nestjs/swagger, would otherwise come along (23 MB of compiler in the image).
FROM node:24-alpine AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund

# Run: compiled code and production dependencies, as the unprivileged `node` user.
FROM node:24-alpine
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
EXPOSE 8002
# No curl in the image: a small node script probes /health where the service listens (PORT,
# BIND_ADDRESS). podman and buildah keep a HEALTHCHECK only in the docker format (--format docker).
HEALTHCHECK --interval=30s --timeout=10s --start-period=10s --retries=3 \
  CMD ["node", "dist/health/healthcheck.js"]
# Exec form: SIGTERM reaches node, which finishes in-flight requests and exits.
CMD ["node", "--max-semi-space-size=16", "dist/main.js"]
