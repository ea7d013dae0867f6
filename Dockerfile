# The deployer's image: API, worker and CLI share it; the Deployments pick the entry point.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY deploy/buildkit/buildkitd.toml deploy/buildkit/buildkitd.toml
USER 1000
ENTRYPOINT ["node"]
# The heap flags the API's Deployment gives it (deploy/base/api-deployment.yaml): requests' objects die young, and
# full collections are rare under load, and an idle process's young generation is not shrunk below what load needs.
CMD ["--max-semi-space-size=8", "--min-semi-space-size=4", "--initial-old-space-size=112", "dist/apps/standalone/src/main.js"]
