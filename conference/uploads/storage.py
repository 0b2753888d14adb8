"""Where attachments live: UPLOADS_DIR, or an S3-compatible bucket when UPLOADS_S3_BUCKET is set (every
replica then serves the same files). Either way an upload is first spooled to UPLOADS_DIR/incoming,
where it is measured, sniffed and previewed, then handed to the storage (conference/filestore.py)."""

from __future__ import annotations

import functools
import secrets
from pathlib import Path

from conference.filestore import BucketConfig, BucketFiles, LocalFiles
from conference.settings import Settings

FileStore = LocalFiles | BucketFiles


def store_for(settings: Settings) -> FileStore:
    """The one place that chooses."""
    if settings.uploads_s3_bucket:
        return _bucket(settings)
    return LocalFiles(settings.uploads_dir)


@functools.cache
def _bucket(settings: Settings) -> BucketFiles:
    return BucketFiles(  # one per settings: its session caches the service model
        BucketConfig(
            bucket=settings.uploads_s3_bucket,
            access_key=settings.uploads_s3_access_key,
            secret_key=settings.uploads_s3_secret_key,
            endpoint=settings.uploads_s3_endpoint,
            region=settings.uploads_s3_region,
        )
    )


def incoming_path(settings: Settings) -> Path:
    """A fresh file name to spool one upload to, its directory created."""
    return LocalFiles(settings.uploads_dir).working_path(f"incoming/{secrets.token_hex(12)}")


def file_key(upload_id: str) -> str:
    return f"{upload_id[:2]}/{upload_id}"


def thumbnail_key(upload_id: str) -> str:
    return f"{upload_id[:2]}/{upload_id}.thumb.webp"
