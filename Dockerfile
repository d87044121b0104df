# Rapport: one image, two roles chosen by the command (docs/OPERATIONS.md, "Deploying").
#   API (default):  node dist/scripts/start.js   (WORKER_IN_PROCESS=false when workers run beside it)
#   worker:         node --max-old-space-size=256 --max-semi-space-size=4 dist/scripts/worker.js
# glibc (Debian), not Alpine: the Temporal SDK's native core and @swc/core (which bundles the workflows when a
# worker starts) ship no musl builds.
# test/integration/deploy/image-commands.test.ts runs this file's build and start commands from a fresh clone,
# and test/unit/deploy/artifacts.test.ts checks every path and command it names.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Dependencies first, so a source change reuses this layer. No install scripts: nothing Rapport uses needs
# one (esbuild and @swc/core find their platform binaries in optional dependencies).
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
# tsc into dist/ (tsconfig.build.json) and the Outlook add-in into outlook-addin/dist/.
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
# MALLOC_ARENA_MAX: glibc gives each thread that allocates its own malloc arena (the Temporal core's
# threads, V8's compiler threads, the SMTP and workflow threads); freed memory stays resident per
# arena. Two arenas cut a dispatching worker's peak RSS by ~20-30 MB (npm run bench:dispatch; npm run
# worker sets the same).
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --from=build /app/outlook-addin/dist ./outlook-addin/dist
# DATA_DIR holds only what Rapport generates when a variable is unset (set API_TOKENS and RAPPORT_SECRET in
# production); the root filesystem can stay read-only with a volume here.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
# No HEALTHCHECK: the image also runs workers, which serve no HTTP. Probe the API's GET /healthz (alive) and
# GET /readyz (can serve) from the orchestrator: deploy/compose.yaml and deploy/kubernetes/api.yaml do.
# Node is PID 1 and stops cleanly on SIGTERM (both entry points handle it).
CMD ["node", "dist/scripts/start.js"]
