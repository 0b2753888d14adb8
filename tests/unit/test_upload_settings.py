"""Attachment settings from the environment, and which storage they choose."""

from __future__ import annotations

from pathlib import Path

import pytest

from conference.filestore import BucketFiles, LocalFiles
from conference.settings import ConfigError, Settings
from conference.uploads.storage import store_for


def test_defaults_keep_25_mb_files_in_a_local_directory():
    settings = Settings.from_env({})
    assert settings.upload_max_bytes == 25 * 1024 * 1024 and settings.uploads_per_minute == 30
    assert settings.uploads_dir == Path("uploads")
    assert isinstance(store_for(settings), LocalFiles)


def test_a_bucket_with_its_keys_switches_to_s3():
    settings = Settings.from_env(
        {
            "UPLOADS_S3_BUCKET": "files",
            "UPLOADS_S3_ACCESS_KEY": "a",
            "UPLOADS_S3_SECRET_KEY": "s",
            "UPLOADS_S3_ENDPOINT": "http://minio:9000/",
            "UPLOAD_MAX_BYTES": "1000",
        }
    )
    assert settings.uploads_s3_endpoint == "http://minio:9000" and settings.upload_max_bytes == 1000
    store = store_for(settings)
    assert isinstance(store, BucketFiles) and store.bucket == "files"


@pytest.mark.parametrize(
    "env",
    [
        {"UPLOADS_S3_BUCKET": "files"},
        {"UPLOADS_S3_BUCKET": "files", "UPLOADS_S3_ACCESS_KEY": "a"},
        {"UPLOAD_MAX_BYTES": "0"},
        {"UPLOAD_MAX_BYTES": "25MB"},
        {"UPLOADS_PER_MINUTE": "many"},
    ],
)
def test_settings_that_cannot_work_refuse_to_start(env):
    with pytest.raises(ConfigError):
        Settings.from_env(env)
