# The conference app: aiohttp service plus the static web client it serves.

# livekit-client and the other browser packages, from the lockfile; npm ci's postinstall
# (build-vendor.mjs, with the dev tools) minifies and precompresses livekit-client, then the
# dev tools go.
FROM node:20-slim AS web-packages
WORKDIR /web
COPY web/package.json web/package-lock.json web/build-vendor.mjs ./
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY pyproject.toml README.md* ./
COPY conference ./conference
RUN pip install .

COPY web ./web
COPY --from=web-packages /web/node_modules ./web/node_modules

RUN useradd --system --uid 10001 --home-dir /app conference \
    && mkdir -p /recordings && chown conference /recordings
USER conference

# WEB_DIR: the installed package lives in site-packages, away from web/.
ENV HOST=0.0.0.0 \
    PORT=8080 \
    WEB_DIR=/app/web \
    RECORDINGS_DIR=/recordings \
    APP_ENV=production \
    LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2)"]
CMD ["conference", "serve"]
