FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY services ./services
COPY workers ./workers
COPY shared ./shared
COPY migrations ./migrations
RUN pip install -e . && useradd --create-home mlcalc && mkdir -p /app/var && chown mlcalc /app/var
USER mlcalc
EXPOSE 8000
CMD ["mlcalc", "serve", "--host", "0.0.0.0", "--no-worker"]
