# usp-agent as a simulated gateway: a TR-369 agent serving the simulated 5G gateway's TR-181 data
# model (README "Docker simulated gateway"). Build: docker build -t usp-agent .
# BASE_IMAGE is any Node 20 (or later) image with npm and a non-root user "node" (uid 1000), as
# the official images have; the build stage needs the npm registry.
ARG BASE_IMAGE=node:20-bookworm-slim

FROM ${BASE_IMAGE} AS build
WORKDIR /src
# Dependencies first, in their own layer: rebuilt only when the lock file changes. No scripts
# yet: `prepare` builds the sources, which are not copied in until the next step.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build

# Run time: the bundle (dist/usp-agent.cjs and the chunks it loads lazily), the launcher, the
# schema (and its descriptions, for the CLI's schema command) and .proto files it reads beside it, package.json (the package root and version), the
# container's entry and health scripts, and the simulated gateway's defaults. No node_modules:
# the bundle holds every dependency.
FROM ${BASE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/bin/usp-agent.js /src/bin/code-cache.js /src/bin/package.json ./bin/
# Not the build stage's V8 code cache (dist/usp-agent.cjs.v8cache): it holds only for the node
# that wrote it. The agent (user node, /app read-only to it) writes its own under /tmp at the
# container's first start (bin/code-cache.js).
COPY --from=build /src/dist/usp-agent.cjs ./dist/
COPY --from=build /src/dist/chunks ./dist/chunks
COPY --from=build /src/dist/docker/entry.js /src/dist/docker/env-defaults.js /src/dist/docker/volume-lock.js /src/dist/docker/health.js /src/dist/docker/websocket-ports.js ./dist/docker/
# tr181-descriptions.json is read only by `usp-agent schema PATH` (docker exec), never by the agent;
# tr181-profiles.json only by `usp-agent profiles` and X_<VENDOR>_Profiles, when asked.
COPY --from=build /src/datamodel/schema/tr181-schema.json /src/datamodel/schema/tr181-descriptions.json /src/datamodel/schema/tr181-profiles.json ./datamodel/schema/
COPY --from=build /src/agent/codec/proto ./agent/codec/proto
COPY --from=build /src/examples/factory-defaults.json ./examples/
# The agent's state (state.json holds secrets in clear text): owner-only, owned by the agent's
# user. A new named volume takes this ownership; a bind-mounted directory must be owned by 1000.
RUN mkdir -p /data && chown node:node /data && chmod 700 /data
USER node
VOLUME /data
# The README's simulated gateway: a plain WebSocket server on 9001 (USP_WS_PORT changes it).
EXPOSE 9001
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["node", "/app/dist/docker/health.js"]
# The agent is PID 1 and handles SIGTERM itself: it exits 0 within 2 s (docker/entry.ts says why
# no init is needed; `docker run --init` works too).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/dist/docker/entry.js"]
