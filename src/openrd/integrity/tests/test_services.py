import re

import pytest
from django.core.exceptions import ValidationError

from openrd.accounts.models import Role
from openrd.accounts.tests.factories import UserFactory
from openrd.core.models import AuditEntry
from openrd.integrity.models import DisclosureIsImmutable, DisclosureVersion
from openrd.integrity.queries import (
    disclosure_facts,
    disclosure_history,
    latest_disclosure,
    version_diff,
    visible_versions,
)
from openrd.integrity.rules import PLEDGE_TEXT_VERSION, check_disclosure_complete
from openrd.integrity.services import pledge, save_disclosure

pytestmark = pytest.mark.django_db

FUNDING = {"status": "current", "program": "戦略的創造研究推進事業", "title": "量子計測",
           "funder": "科学技術振興機構", "amount_yen": 30_000_000,
           "effort_percent": 40}  # fmt: skip
FOREIGN = {"status": "pending", "title": "Quantum sensing", "funder": "NSF", "country": "US",
           "effort_percent": 10}  # fmt: skip
POSITION = {"organisation": "カリフォルニア大学", "country": "US", "title": "客員教授",
            "kind": "visiting", "paid": False}  # fmt: skip


def _save(person, fundings, positions=()):
    return save_disclosure(person, actor=person, fundings=list(fundings), positions=list(positions))


def test_first_save_creates_version_1_with_stable_keys_and_audits_it():
    person = UserFactory()
    version = _save(person, [FUNDING, FOREIGN], [POSITION])
    assert (version.number, version.person, version.created_by) == (1, person, person)
    assert version.pledged_at is None
    keys = [f["key"] for f in version.fundings] + [p["key"] for p in version.positions]
    assert all(re.fullmatch(r"[0-9a-f]{32}", k) for k in keys)
    assert len(set(keys)) == 3
    assert version.fundings[1]["country"] == "US"
    assert version.positions[0]["paid"] is False
    entry = AuditEntry.objects.get(action="integrity.disclosure.saved")
    assert (entry.actor, entry.object_id, entry.before) == (person, str(version.pk), None)
    assert entry.after["fundings"][0]["title"] == "量子計測"


def test_saving_the_same_content_again_makes_no_new_version():
    person = UserFactory()
    v1 = _save(person, [FUNDING])
    again = _save(person, v1.fundings, v1.positions)
    assert again.pk == v1.pk
    assert DisclosureVersion.objects.filter(person=person).count() == 1
    assert AuditEntry.objects.filter(action="integrity.disclosure.saved").count() == 1


def test_a_change_makes_version_2_with_before_and_after():
    person = UserFactory()
    v1 = _save(person, [FUNDING])
    changed = [{**v1.fundings[0], "effort_percent": 50}]
    v2 = _save(person, changed)
    assert v2.number == 2
    assert v2.fundings[0]["key"] == v1.fundings[0]["key"]
    entry = AuditEntry.objects.filter(action="integrity.disclosure.saved").first()
    assert entry.before["number"] == 1
    assert entry.before["fundings"][0]["effort_percent"] == 40
    assert entry.after["fundings"][0]["effort_percent"] == 50
    (change,) = version_diff(v2)
    assert change.field_changes == (("effort_percent", 40, 50),)
    assert [v.number for v in disclosure_history(person)] == [2, 1]


def test_pledge_is_recorded_on_the_latest_version_and_audited_once():
    person = UserFactory()
    _save(person, [FUNDING])
    pledged = pledge(person, actor=person)
    assert pledged.pledged_at is not None
    assert pledged.pledge_text_version == PLEDGE_TEXT_VERSION
    first_time = pledged.pledged_at
    assert pledge(person, actor=person).pledged_at == first_time
    entries = AuditEntry.objects.filter(action="integrity.disclosure.pledged")
    assert entries.count() == 1
    assert entries.get().before["pledged_at"] is None


def test_a_change_after_the_pledge_needs_a_new_pledge():
    person = UserFactory()
    v1 = _save(person, [FUNDING])
    pledge(person, actor=person)
    assert check_disclosure_complete(disclosure_facts(person)).allowed
    v2 = _save(person, [*v1.fundings, FOREIGN])
    assert (v2.number, v2.pledged_at) == (2, None)
    assert check_disclosure_complete(disclosure_facts(person)).codes() == [
        "integrity.pledge_missing"
    ]
    # The old version keeps its pledge: it is what earlier submissions were made with.
    assert DisclosureVersion.objects.get(pk=v1.pk).pledged_at is not None
    pledge(person, actor=person)
    assert disclosure_facts(person).pledged is True


def test_saving_unchanged_content_keeps_the_pledge():
    person = UserFactory()
    v1 = _save(person, [FUNDING])
    pledge(person, actor=person)
    assert _save(person, v1.fundings).pledged_at is not None


def test_nothing_to_pledge_is_a_validation_error_and_not_audited():
    person = UserFactory()
    with pytest.raises(ValidationError) as raised:
        pledge(person, actor=person)
    assert raised.value.code == "integrity.nothing_to_pledge"
    assert not AuditEntry.objects.exists()
    assert disclosure_facts(person).has_version is False


def test_every_error_is_reported_per_field_and_nothing_is_half_saved():
    person = UserFactory()
    v1 = _save(person, [FUNDING])
    bad = [FUNDING, {**FOREIGN, "effort_percent": 101, "start": "2023-02-30"},
           {"nda": True, "amount_yen": 5, "effort_percent": 1}]  # fmt: skip
    with pytest.raises(ValidationError) as raised:
        _save(person, bad, [{**POSITION, "country": "usa"}])
    assert set(raised.value.message_dict) == {
        "fundings.1.effort_percent",
        "fundings.1.start",
        "fundings.2.amount_yen",
        "positions.0.country",
    }
    assert latest_disclosure(person).pk == v1.pk
    assert AuditEntry.objects.filter(action="integrity.disclosure.saved").count() == 1


def test_an_empty_disclosure_is_a_valid_first_version():
    # A person with no other funding or positions still declares so, and pledges it.
    person = UserFactory()
    assert _save(person, []).number == 1
    assert pledge(person, actor=person).pledged_at is not None


def test_versions_cannot_be_changed_or_deleted():
    person = UserFactory()
    version = _save(person, [FUNDING])
    version.fundings = []
    with pytest.raises(DisclosureIsImmutable):
        version.save()
    with pytest.raises(DisclosureIsImmutable):
        version.save(update_fields=["fundings"])
    with pytest.raises(DisclosureIsImmutable):
        DisclosureVersion.objects.filter(pk=version.pk).update(fundings=[])
    with pytest.raises(DisclosureIsImmutable):
        version.delete()
    pledged = pledge(person, actor=person)
    pledged.pledged_at = None
    with pytest.raises(DisclosureIsImmutable):
        pledged.save(update_fields=["pledged_at"])
    assert DisclosureVersion.objects.get(pk=version.pk).fundings[0]["title"] == "量子計測"


def test_each_person_has_their_own_numbering():
    a, b = UserFactory(), UserFactory()
    _save(a, [FUNDING])
    _save(a, [FOREIGN])
    assert _save(b, [FUNDING]).number == 1


def test_only_the_person_edits_and_the_command_tower_also_views():
    me, other = UserFactory(), UserFactory()
    admin = UserFactory(roles=[Role.COMMAND_TOWER_ADMIN])
    officer = UserFactory(roles=[Role.INSTITUTION_OFFICER])
    assert me.has_perm("integrity.edit_own_disclosure", me) is True
    assert me.has_perm("integrity.edit_own_disclosure", other) is False
    assert admin.has_perm("integrity.edit_own_disclosure", me) is False
    assert me.has_perm("integrity.view_disclosure", me) is True
    assert me.has_perm("integrity.view_disclosure", other) is False
    assert officer.has_perm("integrity.view_disclosure", me) is False
    assert admin.has_perm("integrity.view_disclosure", me) is True
    inactive = UserFactory(is_active=False)
    assert inactive.has_perm("integrity.edit_own_disclosure", inactive) is False


def test_visible_versions_are_ones_own_or_all_for_the_command_tower():
    me, other = UserFactory(), UserFactory()
    admin = UserFactory(roles=[Role.COMMAND_TOWER_ADMIN])
    mine, theirs = _save(me, [FUNDING]), _save(other, [FUNDING])
    assert list(visible_versions(me)) == [mine]
    assert set(visible_versions(admin)) == {mine, theirs}
