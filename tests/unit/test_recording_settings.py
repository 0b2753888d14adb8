"""Recording settings from the environment: a laptop records in the app's process, production does not."""

import pytest

from conference.settings import ConfigError, Settings

PRODUCTION = {"APP_ENV": "production", "JWT_SECRET": "x" * 40, "LIVEKIT_API_KEY": "k", "LIVEKIT_API_SECRET": "s" * 32}


def test_a_laptop_records_in_process_and_production_leaves_it_to_workers():
    laptop = Settings.from_env({})
    assert laptop.recorder == "builtin" and laptop.recorder_in_process
    assert (laptop.recording_width, laptop.recording_height, laptop.recording_fps) == (1280, 720, 15)
    assert not Settings.from_env(PRODUCTION).recorder_in_process
    assert Settings.from_env({**PRODUCTION, "RECORDER_IN_PROCESS": "1"}).recorder_in_process
    assert not Settings.from_env({"RECORDER_IN_PROCESS": "0"}).recorder_in_process


def test_recording_settings_are_read():
    settings = Settings.from_env(
        {"RECORDINGS_DIR": "/data/rec", "RECORDER": "Egress", "RECORDING_RETENTION_DAYS": "30", "RECORDING_FPS": "10"}
    )
    assert (str(settings.recordings_dir), settings.recorder) == ("/data/rec", "egress")
    assert (settings.recording_retention_days, settings.recording_fps) == (30, 10)


def test_an_unknown_recorder_is_refused():
    with pytest.raises(ConfigError, match="RECORDER"):
        Settings.from_env({"RECORDER": "ffmpeg"})


def test_a_bucket_switches_storage_to_s3_and_needs_its_keys():
    from conference.recordings.storage import LocalStorage, S3Storage, storage_for

    assert isinstance(storage_for(Settings.from_env({})), LocalStorage)
    env = {
        "RECORDINGS_S3_BUCKET": "recordings",
        "RECORDINGS_S3_ENDPOINT": "http://minio:9000/",
        "RECORDINGS_S3_ACCESS_KEY": "access",
        "RECORDINGS_S3_SECRET_KEY": "secret-key",
    }
    settings = Settings.from_env(env)
    assert (settings.recordings_s3_endpoint, settings.recordings_s3_region) == ("http://minio:9000", "us-east-1")
    assert isinstance(storage_for(settings), S3Storage)
    with pytest.raises(ConfigError, match="RECORDINGS_S3_ACCESS_KEY"):
        Settings.from_env({"RECORDINGS_S3_BUCKET": "recordings"})
