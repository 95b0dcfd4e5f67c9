# Multi-stage build on Debian 12. (No Docker engine runs on the development machines, so
# this file is kept minimal and is not built by the tests.)
FROM debian:12 AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config libboost1.81-dev liblmdb-dev libspdlog-dev \
      libcli11-dev libyaml-cpp-dev libsystemd-dev libxxhash-dev libgtest-dev libbenchmark-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B build -DRANGECACHE_BUILD_TESTS=OFF -DRANGECACHE_BUILD_BENCH=OFF \
    && cmake --build build -j"$(nproc)" --target rangecache

FROM debian:12-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      liblmdb0 libspdlog1.10 libyaml-cpp0.7 libsystemd0 libxxhash0 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/cache/rangecache --shell /usr/sbin/nologin rangecache \
    && mkdir -p /var/cache/rangecache /etc/rangecache \
    && chown rangecache:rangecache /var/cache/rangecache
COPY --from=build /src/build/rangecache /usr/local/bin/rangecache
COPY config/rangecache.yaml /etc/rangecache/rangecache.yaml
USER rangecache
EXPOSE 8080 9090
VOLUME /var/cache/rangecache
ENTRYPOINT ["/usr/local/bin/rangecache"]
CMD ["-c", "/etc/rangecache/rangecache.yaml"]
