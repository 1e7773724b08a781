# ringlink image: the compiled binary (dashboard and migrations embedded) plus the onnxruntime
# native files and the model that sit beside it in dist/. One image serves every mode:
#   docker run ringlink serve | migrate | worker analytics | worker classifier
FROM oven/bun:1.4.4 AS build
WORKDIR /app
COPY package.json bun.lock bunfig.toml tsconfig.json ./
# onnxruntime-node's install script would download GPU files; its CPU binaries ship in the package.
RUN ONNXRUNTIME_NODE_INSTALL=skip bun install --frozen-lockfile --production
COPY src src
COPY frontend frontend
COPY sql sql
COPY models models
COPY workers workers
COPY scripts/build.ts scripts/build.ts
RUN bun run build

FROM debian:bookworm-slim
RUN useradd --system --home /var/lib/ringlink --create-home ringlink
COPY --from=build /app/dist /opt/ringlink
USER ringlink
WORKDIR /var/lib/ringlink
ENV DATA_DIR=/var/lib/ringlink/data PORT=8080
EXPOSE 8080
ENTRYPOINT ["/opt/ringlink/ringlink"]
CMD ["serve"]
