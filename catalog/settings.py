"""Configuration: environment variables with the TERBUKA_ prefix, nothing else."""

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TERBUKA_", extra="ignore")

    database_url: str = "sqlite:///./var/terbuka.db"
    data_dir: Path = Path("./var")
    max_upload_bytes: int = 512 * 1024 * 1024
    base_url: str = "http://127.0.0.1:8000"
    meili_url: str | None = None
    meili_key: str | None = None
    redis_url: str | None = None
    harvest_allowed_hosts: str = ""
    harvest_local_roots: str = ""  # comma-separated folders a local-path source may read; none by default
    validation_error_limit: int | None = None
    rate_limit_per_minute: int = 1200  # requests a minute per client address and server process; 0: no limit
    rate_limit_writes_per_minute: int = 120  # of which writes (POST, PUT, PATCH, DELETE)
    public_cache_seconds: float = 1.0  # how long a process keeps anonymous readers' answers (services/public_cache)
    datastore_sql_timeout: float = 5.0  # seconds a read-only SQL query may run
    datastore_sql_row_cap: int = 10_000  # rows a SQL query returns at most (``truncated`` says so)
    datastore_sql_memory: str = "256MB"  # memory a SQL query may use
    contact_email: str = ""  # the walidata's public address, where a format needs one (data.json)
    timezone: str = "Asia/Jakarta"  # harvest schedules are read in this zone (Pontianak is WIB)

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def tmp_dir(self) -> Path:
        return self.data_dir / "tmp"


@lru_cache
def get_settings() -> Settings:
    return Settings()
