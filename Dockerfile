# syntax=docker/dockerfile:1
# One image per part: docker build --target auth|pets|gateway -t toypetme-<part> .
# e2e/test/deploy/production-install.test.ts runs these very steps without Docker (docs/deploy.md).

ARG NODE_IMAGE=node:20-bookworm-slim

# Compilers for argon2: its install script builds it from source when the prebuilt binary it
# ships does not load. Only the lock file and the manifests, so dependency layers stay cached.
FROM ${NODE_IMAGE} AS toolchain
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/http-kit/package.json packages/http-kit/
COPY packages/jwt-verifier/package.json packages/jwt-verifier/
COPY packages/test-kit/package.json packages/test-kit/
COPY services/auth/package.json services/auth/
COPY services/pets/package.json services/pets/
COPY gateway/package.json gateway/
COPY e2e/package.json e2e/

# Every dependency (TypeScript included), then the compiled JavaScript of the three parts.
FROM toolchain AS build
RUN npm ci
COPY tsconfig.base.json ./
COPY packages packages
COPY services services
COPY gateway gateway
RUN npx tsc -b services/auth services/pets gateway

# Production dependencies of one part only (its workspace packages are linked, not copied).
# npm nests a dependency under its workspace when the top level holds another version of it, so
# each workspace's own node_modules is copied too (made empty when npm put nothing there).
FROM toolchain AS auth-modules
RUN npm ci --omit=dev --workspace=services/auth \
  && mkdir -p services/auth/node_modules packages/http-kit/node_modules

FROM toolchain AS pets-modules
RUN npm ci --omit=dev --workspace=services/pets \
  && mkdir -p services/pets/node_modules packages/http-kit/node_modules packages/jwt-verifier/node_modules

FROM toolchain AS gateway-modules
RUN npm ci --omit=dev --workspace=gateway \
  && mkdir -p gateway/node_modules packages/http-kit/node_modules

# What every part runs on: no compiler, no npm run, compiled JavaScript only. HOST: a container
# must listen on its own interfaces, not only on loopback.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/packages/http-kit/package.json packages/http-kit/
COPY --from=build /app/packages/http-kit/dist packages/http-kit/dist

FROM runtime AS auth
COPY --from=auth-modules /app/node_modules node_modules
COPY --from=auth-modules /app/packages/http-kit/node_modules packages/http-kit/node_modules
COPY --from=auth-modules /app/services/auth/node_modules services/auth/node_modules
COPY --from=build /app/services/auth/package.json services/auth/
COPY --from=build /app/services/auth/dist services/auth/dist
USER node
EXPOSE 4001
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.AUTH_PORT||4001)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "services/auth/dist/main.js"]

FROM runtime AS pets
COPY --from=pets-modules /app/node_modules node_modules
COPY --from=pets-modules /app/packages/http-kit/node_modules packages/http-kit/node_modules
COPY --from=pets-modules /app/packages/jwt-verifier/node_modules packages/jwt-verifier/node_modules
COPY --from=pets-modules /app/services/pets/node_modules services/pets/node_modules
COPY --from=build /app/packages/jwt-verifier/package.json packages/jwt-verifier/
COPY --from=build /app/packages/jwt-verifier/dist packages/jwt-verifier/dist
COPY --from=build /app/services/pets/package.json services/pets/
COPY --from=build /app/services/pets/dist services/pets/dist
USER node
EXPOSE 4002
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PETS_PORT||4002)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "services/pets/dist/main.js"]

FROM runtime AS gateway
COPY --from=gateway-modules /app/node_modules node_modules
COPY --from=gateway-modules /app/packages/http-kit/node_modules packages/http-kit/node_modules
COPY --from=gateway-modules /app/gateway/node_modules gateway/node_modules
COPY --from=build /app/gateway/package.json gateway/
COPY --from=build /app/gateway/dist gateway/dist
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.GATEWAY_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "gateway/dist/main.js"]
