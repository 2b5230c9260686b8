# One image per Node service, from one Dockerfile (k8s/README.md, "Images"). Build from the repository
# root after the service's esbuild bundle exists (`npx nx run-many -t build` writes dist/apps/<service>/):
#
#   docker build -f tools/docker/node-service.Dockerfile --build-arg SERVICE=gateway \
#     -t ghcr.io/rstar-platform/gateway:0.1.0 .
#   ... SERVICE=search | curation | policy | ppm | model-server     (target `service`, the default)
#   ... --build-arg SERVICE=sandbox --target sandbox    (adds bubblewrap and the Python runtime venv)
#   ... --target cpu-models -t ghcr.io/rstar-platform/cpu-models:0.1.0   (GGUF files from models/)
#
# The bundles keep npm packages external (esbuild --packages=external), so the image installs the
# production dependencies from package-lock.json. A service's own apps/<name>/Dockerfile may replace this.
ARG NODE_IMAGE=node:22-bookworm-slim

# Production node_modules, from the lock file only (cached until it changes).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

# A Node service: its bundle, node_modules, and the workspace marker files that libs/workspace looks for.
FROM ${NODE_IMAGE} AS service
ARG SERVICE
RUN test -n "$SERVICE" || (echo "build with --build-arg SERVICE=<name>" >&2; exit 1)
WORKDIR /app
ENV NODE_ENV=production \
    RSTAR_HOME=/app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json nx.json ./
COPY dist/apps/${SERVICE}/ ./dist/apps/${SERVICE}/
# A fixed entry point whatever the service: node resolves the link, so imports and source maps still see
# dist/apps/<service>/main.js.
RUN ln -s "dist/apps/${SERVICE}/main.js" /app/main.js
# uid 1000 is `node` in the official images; the manifests run it with a read-only root file system.
USER 1000:1000
ENTRYPOINT ["node", "--enable-source-maps", "/app/main.js"]

# The sandbox: the service above plus bubblewrap and the Python venv of the sandbox runtime and the grader
# at /app/.venv (where libs/workspace expects it). Bytecode is compiled now: bubblewrap mounts the venv
# read-only, so Python could not write its caches later.
FROM service AS sandbox
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends bubblewrap python3 python3-venv \
 && rm -rf /var/lib/apt/lists/*
COPY libs/contracts/python/ ./libs/contracts/python/
COPY apps/sandbox-runtime/ ./apps/sandbox-runtime/
COPY apps/grader/ ./apps/grader/
RUN python3 -m venv /app/.venv \
 && /app/.venv/bin/pip install --no-cache-dir --compile ./libs/contracts/python ./apps/sandbox-runtime ./apps/grader \
 && rm -rf ./libs/contracts/python ./apps/sandbox-runtime ./apps/grader
USER 1000:1000

# Data-only image for cpu-dev's model-server init container: the GGUF files tools/setup put in models/.
FROM busybox:1.37 AS cpu-models
COPY models/*.gguf /models/
USER 1000:1000

# Default target.
FROM service
