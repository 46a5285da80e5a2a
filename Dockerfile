# A small image holding only the triage binary.
#   docker build -t triage .
#   docker run --rm -v "$PWD/dump:/data:ro" triage scan /data
# The build stage compiles with the pinned toolchain of Cargo.toml's rust-version; the final
# stage is distroless (glibc, CA certificates, no shell, no package manager) and runs as a
# non-root user. `.git` is not sent to the build, so pass the commit for `--version`:
#   docker build --build-arg TRIAGE_COMMIT="$(git rev-parse --short=12 HEAD)" -t triage .

FROM rust:1.93-slim AS build
WORKDIR /src
# Dependencies first, in their own layer: a change to the crate's code does not refetch them.
COPY Cargo.toml Cargo.lock ./
RUN mkdir src && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && cargo fetch --locked && rm -rf src
COPY build.rs ./
COPY src ./src
COPY patterns ./patterns
ARG TRIAGE_COMMIT=unknown
RUN TRIAGE_COMMIT="$TRIAGE_COMMIT" cargo build --release --locked --bin triage \
    && strip target/release/triage

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/triage /usr/local/bin/triage
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/triage"]
CMD ["--help"]
