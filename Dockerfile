# One image for all seven processes; the command picks the process:
#   gateway (default)   node --import tsx gateway/src/main.ts
#   a subgraph          node --import tsx subgraphs/wallet/src/main.ts
#   all, embedded       node --import tsx scripts/start.ts   (needs AUTH_JWT_* in production)
# TypeScript runs through tsx, as in development: there is no separate JavaScript build.
FROM node:20-bookworm-slim

WORKDIR /app
ENV NO_UPDATE_NOTIFIER=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    TURBO_TELEMETRY_DISABLED=1 \
    CHECKPOINT_DISABLE=1 \
    APOLLO_TELEMETRY_DISABLED=1

# Every workspace's package.json must be present for `npm ci`, so the whole context goes in at
# once (.dockerignore keeps it small); the npm cache mount keeps rebuilds fast instead.
COPY . .

# No dependency needs its install script (native parts ship as prebuilt optional packages), and
# skipping them keeps the build from downloading engines at install time.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund --ignore-scripts

# Generates the Prisma clients and GraphQL resolver types the services import.
RUN npm run build && rm -rf .turbo

# Set after the install: with NODE_ENV=production npm would leave out tsx, which runs the services.
ENV NODE_ENV=production \
    DATA_DIR=/data
RUN mkdir -p /data && chown node:node /data
USER node

EXPOSE 4000 4001 4002 4003 4004 4005 4006
CMD ["node", "--import", "tsx", "gateway/src/main.ts"]
