"""Pure rules of rooms: codes people can read aloud and grants per role."""

import pytest

from conference.livekit import grants_for
from conference.rooms.codes import new_room_code, normalize_room_code


def test_new_codes_are_ten_letters_in_three_groups_and_differ():
    codes = {new_room_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 12 and code[3] == code[8] == "-"
        assert code.replace("-", "").isalpha() and code == code.lower()


@pytest.mark.parametrize("raw", ["kqz-mvtd-wpa", "KQZMVTDWPA", "kqz mvtd wpa", " Kqz-Mvtd-Wpa "])
def test_codes_are_accepted_with_or_without_dashes_in_any_case(raw):
    assert normalize_room_code(raw) == "kqz-mvtd-wpa"


@pytest.mark.parametrize("raw", ["", "kqz-mvtd-wp", "kqz-mvtd-wpaa", "kqz-mvtd-wp1", "кqz-mvtd-wpa", "a" * 40, None, 5])
def test_malformed_codes_are_refused(raw):
    assert normalize_room_code(raw) is None


def test_host_grants():
    grants = grants_for("host", "abc-defg-hij")
    assert grants.room_join and grants.room_admin and grants.can_publish and grants.can_subscribe
    assert grants.can_publish_data and grants.room == "abc-defg-hij"


def test_participant_grants_publish_media_but_not_admin():
    grants = grants_for("participant", "abc-defg-hij")
    assert grants.room_join and grants.can_publish and grants.can_subscribe and grants.can_publish_data
    assert not grants.room_admin
    assert set(grants.can_publish_sources) == {"camera", "microphone", "screen_share", "screen_share_audio"}


def test_viewer_grants_subscribe_only():
    grants = grants_for("viewer", "abc-defg-hij")
    assert grants.room_join and grants.can_subscribe and grants.can_publish_data
    assert not grants.can_publish and not grants.room_admin and grants.can_publish_sources == []


def test_unknown_role_is_an_error():
    with pytest.raises(ValueError):
        grants_for("admin", "abc-defg-hij")
