"""The hash chain's pure functions: no database."""

import datetime as dt
import json

import pytest

from openrd.core.audit_chain import (
    GENESIS,
    Checkpoint,
    Link,
    canonical,
    entry_hash,
    verify,
)

T0 = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)


def _fields(seq, **changes):
    fields = {
        "seq": seq, "at": T0 + dt.timedelta(seconds=seq), "actor_id": 7, "actor_label": "kanri",
        "action": "test.changed", "object_type": "accounts.organisation", "object_id": str(seq),
        "object_repr": f"組織 {seq}", "before": {"a": seq}, "after": {"a": seq + 1},
        "ip_address": "192.0.2.1",
    }  # fmt: skip
    fields.update(changes)
    return fields


def _chain(n):
    links, prev = [], GENESIS
    for seq in range(1, n + 1):
        fields = _fields(seq)
        digest = entry_hash(fields, prev)
        links.append(Link(id=100 + seq, seq=seq, prev_hash=prev, hash=digest, fields=fields))
        prev = digest
    return links


def _relink(link, **changes):
    return Link(
        id=link.id, seq=changes.pop("seq", link.seq), prev_hash=link.prev_hash, hash=link.hash,
        fields={**link.fields, **changes},
    )  # fmt: skip


def test_canonical_form_ignores_key_order_and_time_zone():
    tokyo = dt.timezone(dt.timedelta(hours=9))
    a = _fields(1, before={"b": 1, "a": [1, 2]})
    b = dict(reversed(list(_fields(1, before={"a": [1, 2], "b": 1}).items())))
    b["at"] = a["at"].astimezone(tokyo)
    assert canonical(a) == canonical(b)
    decoded = json.loads(canonical(a))
    assert decoded["at"] == "2026-04-01T09:00:01.000000+00:00"
    assert list(decoded) == sorted(decoded)


def test_whole_floats_hash_like_the_integers_a_database_may_return():
    assert canonical(_fields(1, after={"yen": 1e16})) == canonical(
        _fields(1, after={"yen": 10_000_000_000_000_000})
    )
    assert canonical(_fields(1, after={"r": 0.5})) != canonical(_fields(1, after={"r": 1}))


def test_each_hash_depends_on_the_previous_one():
    fields = _fields(2)
    assert entry_hash(fields, GENESIS) != entry_hash(fields, "f" * 64)


def test_an_intact_chain_verifies():
    assert verify(_chain(5)) is None
    assert verify([]) is None


@pytest.mark.parametrize(
    ("field", "value"),
    [("action", "test.forged"), ("actor_id", 8), ("before", {"a": 99}), ("ip_address", None),
     ("object_repr", "別の組織"), ("at", T0 + dt.timedelta(seconds=3, microseconds=1))],
)  # fmt: skip
def test_an_edited_field_is_a_hash_mismatch_at_that_entry(field, value):
    links = _chain(5)
    links[2] = _relink(links[2], **{field: value})
    broken = verify(links)
    assert (broken.seq, broken.id) == (3, 103)
    assert broken.problem.startswith("hash mismatch")


def test_a_deleted_entry_is_a_gap():
    links = _chain(5)
    del links[1]
    broken = verify(links)
    assert broken.seq == 2
    assert "gap in sequence: expected 2, found 3" in str(broken)


def test_renumbering_after_a_deletion_breaks_the_prev_link():
    links = _chain(5)
    del links[1]
    links[1:] = [_relink(link, seq=link.seq - 1) for link in links[1:]]
    broken = verify(links)
    assert broken.seq == 2
    assert broken.problem.startswith("broken prev link")


def test_swapped_entries_break_the_chain_at_the_first_of_them():
    links = _chain(5)
    links[1], links[3] = _relink(links[3], seq=2), _relink(links[1], seq=4)
    assert verify(links).seq == 2


def test_a_back_dated_entry_with_a_correct_hash_is_caught_by_its_time():
    links = _chain(3)
    fields = _fields(4, at=T0)
    links.append(Link(id=999, seq=4, prev_hash=links[-1].hash,
                      hash=entry_hash(fields, links[-1].hash), fields=fields))  # fmt: skip
    broken = verify(links)
    assert (broken.seq, broken.id) == (4, 999)
    assert broken.problem.startswith("time goes backwards")


def test_a_truncated_tail_is_found_only_against_a_checkpoint():
    links = _chain(5)
    checkpoint = Checkpoint(seq=5, hash=links[-1].hash, at="2026-04-01T10:00:00+00:00")
    assert verify(links, checkpoint) is None
    assert verify(links[:3]) is None
    broken = verify(links[:3], checkpoint)
    assert broken.seq == 5
    assert "log ends at seq 3 (truncated)" in broken.problem


def test_a_recomputed_chain_differs_from_the_checkpoint():
    original = _chain(4)
    checkpoint = Checkpoint(seq=4, hash=original[-1].hash, at="")
    forged, prev = [], GENESIS
    for link in original:
        fields = {**link.fields, "action": "test.forged"} if link.seq == 2 else link.fields
        digest = entry_hash(fields, prev)
        forged.append(Link(id=link.id, seq=link.seq, prev_hash=prev, hash=digest, fields=fields))
        prev = digest
    assert verify(forged) is None
    broken = verify(forged, checkpoint)
    assert broken.seq == 4
    assert "checkpoint" in broken.problem


def test_checkpoint_round_trips_and_rejects_nonsense():
    checkpoint = Checkpoint(seq=12, hash="a" * 64, at="2026-04-01T10:00:00+00:00")
    assert Checkpoint.from_json(checkpoint.to_json()) == checkpoint
    for text in ['{"seq": "12", "hash": "' + "a" * 64 + '"}', '{"seq": 1, "hash": "xyz"}', "[]"]:
        with pytest.raises(ValueError, match="checkpoint"):
            Checkpoint.from_json(text)
