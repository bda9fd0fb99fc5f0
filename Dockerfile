# One image for every process of the project; the command picks which (see temporal-docker/README.md):
#   src/worker.ts                                             a worker (the default)
#   src/services/main.ts <service>                            one of the six simulated services
#   src/services/meta-publisher/executor-main.ts executor-N   a SafeExecutor process
#   src/db/migrate-main.ts                                    apply the migrations to DATABASE_URL, then exit
#   src/client.ts <command> …                                 the CLI (start-workflow, report, …)
# Built and used by temporal-docker/docker-compose.yml: docker compose -f temporal-docker/docker-compose.yml build
FROM node:20.20.2-bookworm-slim

ENV NODE_ENV=production
WORKDIR /app
# The processes run as the image's unprivileged `node` user; the ML Service writes its RAG assets under .data.
RUN chown node:node /app
USER node

# Dependencies first, so a source change reuses this layer. tsx runs the TypeScript as the stack does.
COPY --chown=node:node package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY --chown=node:node tsconfig.json ./
COPY --chown=node:node src ./src

# Bundle the workflows once at build time (cached under .data/bundles by source hash), so no worker replica
# runs webpack when it starts.
RUN node --import tsx -e "require('./src/workflow-bundle').workflowBundle().then((b) => console.log('workflow bundle:', b.codePath))"

ENTRYPOINT ["node", "--import", "tsx"]
CMD ["src/worker.ts"]
