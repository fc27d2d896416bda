# syntax=docker/dockerfile:1

# Build stage: install everything, compile, and run the service's test suite
# (the store and protocol tests; the WebRTC, coturn and NAT-lab suites need
# a network set-up that a build container does not have: CI runs them).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY bin ./bin
COPY signaling ./signaling
COPY client ./client
COPY web ./web
COPY natlab ./natlab
COPY scripts ./scripts
COPY bench ./bench
COPY test ./test
RUN npm run build && npx tap dist/test/signaling

# Runtime stage: production dependencies and compiled JavaScript only, run as
# the unprivileged `node` user. The image runs the service; the peer CLI is in
# it too (`docker run --entrypoint node IMAGE bin/client --help`).
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY --from=build /app/dist/signaling ./dist/signaling
# bin/client's bundle with its V8 code cache, made in the build stage by the same
# node image (a cache from another node would be rejected: slower, still correct).
COPY --from=build /app/dist/client ./dist/client
# The browser peer page, served at GET / (its script and stylesheet under /app/).
COPY --from=build /app/dist/web ./dist/web
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.SIGNALING_PORT || 8080) + '/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/signaling"]
