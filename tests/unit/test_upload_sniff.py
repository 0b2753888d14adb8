"""What an upload is, from its bytes; which names it may carry; how its name is tamed."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from conference.errors import DisguisedFile
from conference.uploads.sniff import check_name, clean_filename, inline_safe, sniff


def _image(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, fmt)
    return out.getvalue()


@pytest.mark.parametrize(
    "head,expected",
    [
        (_image("PNG"), "image/png"),
        (_image("JPEG"), "image/jpeg"),
        (_image("GIF"), "image/gif"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"  <!DOCTYPE html><p>hi", "text/html"),
        (b"hello <script>alert(1)</script>", "text/html"),
        (b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"),
        ("Привет, мир".encode(), "text/plain"),
        ("ё".encode() * 5000, "text/plain"),  # cut in the middle of a character at the head's end
        (b"\x00\x01\x02binary", "application/octet-stream"),
    ],
)
def test_sniff(head, expected):
    assert sniff(head) == expected


@pytest.mark.parametrize(
    "name,sniffed",
    [
        ("cat.png", "text/html"),
        ("cat.PNG", "image/svg+xml"),
        ("clip.mp4", "application/x-msdownload"),
        ("paper.pdf", "text/html"),
    ],
)
def test_a_name_that_promises_what_the_bytes_are_not_is_refused(name, sniffed):
    with pytest.raises(DisguisedFile):
        check_name(name, sniffed)


@pytest.mark.parametrize(
    "name,sniffed",
    [
        ("cat.png", "image/jpeg"),  # a photo with the wrong extension is still a photo
        ("logo.svg", "image/svg+xml"),
        ("voice.m4a", "video/mp4"),
        ("page.html", "text/html"),
        ("README", "text/plain"),
        ("setup.exe", "application/x-msdownload"),
    ],
)
def test_names_that_do_not_lie(name, sniffed):
    check_name(name, sniffed)


def test_only_passive_types_are_shown_inline():
    assert inline_safe("image/png") and inline_safe("application/pdf")
    assert not any(inline_safe(t) for t in ("text/html", "image/svg+xml", "text/plain", "application/octet-stream"))


@pytest.mark.parametrize(
    "raw,clean",
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\temp\\a.txt", "a.txt"),
        ("", "file"),
        (None, "file"),
        ("..", "file"),
        ("a\x00b.txt", "a_b.txt"),
        ("x" * 300 + ".jpeg", "x" * 186 + ".jpeg"),
    ],
)
def test_clean_filename(raw, clean):
    assert clean_filename(raw) == clean
