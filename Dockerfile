# Build: the same steps CI runs (npm ci, npm run build).
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Run: production dependencies only, non-root, node itself as PID 1 (exec form, no shell or npm
# in between) so SIGTERM reaches it and answers in flight can finish; main.ts handles the signal.
FROM node:24-slim
ENV NODE_ENV=production PORT=3000 SLACK_CLAUDE_BOT_IMAGE=1
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
# STATE_DIR's usual place (a volume mounted here takes this owner): the bot runs as node.
RUN mkdir -p /app/state && chown node:node /app/state
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.OPS_PORT||process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--max-semi-space-size=1", "--liftoff-only", "dist/main.js"]
