# Terbuka production image: the API (`terbuka serve`) and the background worker (`terbuka worker`).
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml requirements.lock README.md ./
COPY catalog ./catalog
COPY harvesters ./harvesters
COPY schemas ./schemas
COPY search ./search
# The lock pins every dependency, so the image runs exactly what the test suite ran.
RUN python -m venv /opt/terbuka \
    && /opt/terbuka/bin/pip install -c requirements.lock .

FROM python:3.11-slim
ENV PATH=/opt/terbuka/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    TERBUKA_DATA_DIR=/srv/terbuka/data
RUN useradd --system --uid 10001 --user-group --home-dir /srv/terbuka --create-home terbuka \
    && mkdir -p /srv/terbuka/data \
    && chown terbuka:terbuka /srv/terbuka/data
COPY --from=build /opt/terbuka /opt/terbuka
USER terbuka
WORKDIR /srv/terbuka
# A named volume mounted here starts with this directory's owner, so the non-root user can write.
VOLUME ["/srv/terbuka/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["sh", "-c", "terbuka db upgrade && exec terbuka serve --host 0.0.0.0 --port 8000 --workers 4"]
