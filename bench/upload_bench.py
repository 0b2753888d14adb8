"""Attachment throughput: MB/s through ONE `conference serve` process, to a local directory and to an
S3-compatible bucket (a real versitygw on this machine).

Per target it starts livekit-server (the app wants one), the app on SQLite, signs one user up, then
uploads `--count` files of `--size-mb` random bytes (POST /api/v1/uploads, multipart) one at a time
and `--concurrency` at a time, downloads them back the same way, and uploads a 12-megapixel JPEG a
few times (sniffing plus the Pillow preview). It prints MB/s as the client sees it (loopback HTTP,
so the network costs nothing) and the server's CPU seconds per 100 MB.

    .venv/bin/python bench/upload_bench.py [--size-mb 20] [--count 8] [--concurrency 4] [--no-s3]

Needs livekit-server and versitygw where tests/servers.py finds them (.dev/bin).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from aiobotocore.session import AioSession
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from bench.token_bench import Server  # noqa: E402
from tests.servers import free_port, start_livekit, start_s3  # noqa: E402

JWT_SECRET = "upload-bench-jwt-secret-0123456789abcdef"
MB = 1024 * 1024


@dataclass
class Row:
    target: str
    what: str
    mb: float
    seconds: float
    cpu_s: float

    @property
    def mb_per_s(self) -> float:
        return self.mb / self.seconds

    @property
    def cpu_per_100mb(self) -> float:
        return 100 * self.cpu_s / self.mb


def start_app(tmp: Path, label: str, livekit_url: str, extra_env: dict[str, str]) -> Server:
    port = free_port()
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp / (label + '.db')}",
        "LIVEKIT_URL": livekit_url,
        "JWT_SECRET": JWT_SECRET,
        "LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore",
        "RECORDER_IN_PROCESS": "0",
        "UPLOADS_DIR": str(tmp / f"{label}-uploads"),
        "UPLOADS_PER_MINUTE": "100000",
        **extra_env,
    }
    argv = [sys.executable, "-m", "conference", "serve"]
    return Server(label, argv, tmp / f"{label}.log", port, cwd=REPO, env=env)


def jpeg_12mp() -> bytes:
    """A photo-like JPEG: a gradient with noise, so it compresses like a camera picture, not a flat colour."""
    gradient = Image.linear_gradient("L").resize((4000, 3000))
    noise = Image.effect_noise((4000, 3000), 40)
    image = Image.merge("RGB", (gradient, noise, Image.blend(gradient, noise, 0.5)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


async def sign_up(session: aiohttp.ClientSession, base: str) -> str:
    body = {"login": f"bench{uuid.uuid4().hex[:8]}", "password": "bench-password-1"}
    async with session.post(f"{base}/api/v1/auth/register", json=body) as response:
        assert response.status == 201, await response.text()
        return str((await response.json())["access_token"])


async def upload(session: aiohttp.ClientSession, base: str, token: str, content: bytes, name: str) -> str:
    form = aiohttp.FormData()
    form.add_field("file", content, filename=name, content_type="application/octet-stream")
    headers = {"Authorization": f"Bearer {token}"}
    async with session.post(f"{base}/api/v1/uploads", data=form, headers=headers) as response:
        assert response.status == 201, await response.text()
        return str((await response.json())["id"])


async def download(session: aiohttp.ClientSession, base: str, token: str, upload_id: str) -> int:
    size = 0
    async with session.get(f"{base}/api/v1/uploads/{upload_id}", headers={"Authorization": f"Bearer {token}"}) as r:
        assert r.status == 200, await r.text()
        async for chunk in r.content.iter_chunked(256 * 1024):
            size += len(chunk)
    return size


async def timed(server: Server, jobs: list, concurrency: int) -> tuple[list, float, float]:
    """Runs the coroutine factories `concurrency` at a time; answers results, seconds, server CPU seconds."""
    gate = asyncio.Semaphore(concurrency)

    async def run(job):  # type: ignore[no-untyped-def]
        async with gate:
            return await job()

    cpu, started = server.cpu_seconds(), time.perf_counter()
    results = await asyncio.gather(*(run(job) for job in jobs))
    return results, time.perf_counter() - started, server.cpu_seconds() - cpu


async def measure(server: Server, target: str, args: argparse.Namespace, photo: bytes) -> list[Row]:
    base = f"http://127.0.0.1:{server.port}"
    rows: list[Row] = []
    blobs = [os.urandom(args.size_mb * MB) for _ in range(args.count)]
    total_mb = args.size_mb * args.count
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=600)) as session:
        token = await sign_up(session, base)
        await upload(session, base, token, blobs[0][: MB // 4], "warmup.bin")
        for concurrency in (1, args.concurrency):
            jobs = [lambda b=b, n=n: upload(session, base, token, b, f"f{n}.bin") for n, b in enumerate(blobs)]
            ids, seconds, cpu = await timed(server, jobs, concurrency)
            what = f"upload {args.count} x {args.size_mb} MB, {concurrency} at a time"
            rows.append(Row(target, what, total_mb, seconds, cpu))
        jobs = [lambda i=i: download(session, base, token, i) for i in ids]
        sizes, seconds, cpu = await timed(server, jobs, args.concurrency)
        assert sum(sizes) == total_mb * MB
        what = f"download {args.count} x {args.size_mb} MB, {args.concurrency} at a time"
        rows.append(Row(target, what, total_mb, seconds, cpu))
        photos = 4
        jobs = [lambda n=n: upload(session, base, token, photo, f"p{n}.jpg") for n in range(photos)]
        _, seconds, cpu = await timed(server, jobs, 1)
        what = f"upload a 12 MP JPEG ({len(photo) / MB:.1f} MB) with its preview, x{photos}"
        rows.append(Row(target, what, photos * len(photo) / MB, seconds, cpu))
    return rows


async def make_bucket(s3_server, bucket: str) -> None:
    client = AioSession().create_client(
        "s3",
        endpoint_url=s3_server.endpoint,
        region_name=s3_server.region,
        aws_access_key_id=s3_server.access_key,
        aws_secret_access_key=s3_server.secret_key,
    )
    async with client as s3:
        await s3.create_bucket(Bucket=bucket)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=20)
    parser.add_argument("--count", type=int, default=8)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--no-s3", action="store_true")
    args = parser.parse_args()
    photo = jpeg_12mp()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="upload-bench-") as raw_tmp:
        tmp = Path(raw_tmp)
        livekit = start_livekit(tmp / "livekit")
        s3 = None
        try:
            app = start_app(tmp, "disk", livekit.ws_url, {})
            try:
                rows += await measure(app, "disk", args, photo)
            finally:
                app.stop()
            if not args.no_s3:
                s3 = start_s3(tmp / "versitygw")
                await make_bucket(s3, "bench")
                bucket_env = {
                    "UPLOADS_S3_ENDPOINT": s3.endpoint,
                    "UPLOADS_S3_BUCKET": "bench",
                    "UPLOADS_S3_ACCESS_KEY": s3.access_key,
                    "UPLOADS_S3_SECRET_KEY": s3.secret_key,
                }
                app = start_app(tmp, "s3", livekit.ws_url, bucket_env)
                try:
                    rows += await measure(app, "S3 (versitygw)", args, photo)
                finally:
                    app.stop()
        finally:
            if s3 is not None:
                s3.stop()
            livekit.stop()
    print()
    print("| storage | what | MB/s | server CPU s per 100 MB |")
    print("| --- | --- | --- | --- |")
    for row in rows:
        print(f"| {row.target} | {row.what} | {row.mb_per_s:.0f} | {row.cpu_per_100mb:.2f} |")
    print(
        "\nnote: client, app and (for S3) versitygw share this machine's cores over loopback; S3 figures include "
        "versitygw's own work of writing the object to its disk."
    )


if __name__ == "__main__":
    asyncio.run(main())
