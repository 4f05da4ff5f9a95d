# syntax=docker/dockerfile:1

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
# No curl in the image: node's own fetch probes the liveness endpoint.
HEALTHCHECK --interval=30s --timeout=10s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8002)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec form: SIGTERM reaches node, which finishes in-flight requests and exits.
CMD ["node", "dist/main.js"]
