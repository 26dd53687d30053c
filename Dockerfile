# One image for every service of whatsapp-events; docker-compose.yml picks the entry point.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Fixes to dependencies, applied by npm install (postinstall: patch-package); see docs/dependency-patches.md.
COPY patches ./patches
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY contracts ./contracts
COPY runtime ./runtime
COPY cli ./cli
COPY ingress ./ingress
COPY projector ./projector
COPY template-sync ./template-sync
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/contracts ./contracts
COPY --chown=node:node package.json ./
USER node
EXPOSE 3000 9464 3001 3002
# The ingress's readiness, on its operations port (docker-compose.yml gives the projector its own check).
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.OPS_PORT || 9464) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--enable-source-maps", "--max-semi-space-size=16", "dist/ingress/main.js"]
