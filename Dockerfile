# The bot as a container: `docker run -p 8000:8000 -e TWILIO_AUTH_TOKEN=... image`.
# The release step: `docker run --rm -e DATABASE_URL=... image notifier migrate`.
# The Python version follows .python-version (tests/deploy checks that they agree).
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
# Dependencies first, from the lock file only, so a code change reuses this layer.
COPY requirements.txt /src/
RUN /opt/venv/bin/pip install --require-hashes -r /src/requirements.txt
COPY pyproject.toml README.md /src/
COPY notifier /src/notifier
RUN /opt/venv/bin/pip install --no-deps /src

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 notifier && mkdir /data && chown notifier /data
COPY --from=build /opt/venv /opt/venv
COPY rules.toml /app/rules.toml
WORKDIR /app
# SQLite in /data unless DATABASE_URL names PostgreSQL; mount a volume there to keep it.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PORT=8000 \
    RULES_FILE=/app/rules.toml \
    DATABASE_URL=sqlite:////data/notifier.db
USER notifier
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['PORT'], timeout=4)"]
CMD ["notifier", "serve"]
