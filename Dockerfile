# settleroom application image. Configuration comes from the environment (see README).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SETTLEROOM_DATA_DIR=/var/lib/settleroom \
    SETTLEROOM_MASTER_KEY_FILE=/var/lib/settleroom-keys/master.key
# The local key store's master key has a directory (and a volume) of its own, so that a
# backup of the data volume holds no usable case key.
RUN apt-get update \
    && apt-get install -y --no-install-recommends qpdf poppler-utils tesseract-ocr tesseract-ocr-eng \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /srv/settleroom settleroom \
    && install -d -o settleroom -m 0700 /var/lib/settleroom /var/lib/settleroom-keys
WORKDIR /srv/settleroom
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY crypto ./crypto
COPY migrations ./migrations
RUN pip install --no-cache-dir -e '.[pkcs11]'
USER settleroom
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz')"
CMD ["settleroom", "serve", "--host", "0.0.0.0", "--port", "8000"]
