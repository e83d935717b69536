"""Renewing a pledge a year old: a new version with the same content and the new
pledge, audited; the dashboard task goes away; a current pledge stays as it is."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from openrd.accounts.tests.factories import UserFactory
from openrd.core.models import AuditEntry
from openrd.integrity.models import DisclosureVersion
from openrd.integrity.my_tasks import pledge_tasks
from openrd.integrity.queries import disclosure_facts, latest_disclosure
from openrd.integrity.rules import PLEDGE_TEXT_VERSION
from openrd.integrity.services import pledge, save_disclosure

pytestmark = pytest.mark.django_db

EDIT, PLEDGE, HISTORY = "/en/disclosures/", "/en/disclosures/pledge/", "/en/disclosures/history/"
POSITION = {"organisation": "国立研究所", "country": "JP", "title": "客員研究員",
            "kind": "concurrent", "paid": True}  # fmt: skip


def pledged_long_ago(days=400):
    """A person whose only disclosure was pledged ``days`` ago."""
    person = UserFactory()
    then = timezone.now() - timedelta(days=days)
    with mock.patch("openrd.integrity.services.timezone.now", return_value=then):
        save_disclosure(person, actor=person, fundings=[], positions=[POSITION])
        v1 = pledge(person, actor=person)
    return person, v1


def test_a_pledge_a_year_old_is_renewed_as_a_new_version_and_audited():
    person, v1 = pledged_long_ago()
    (task,) = pledge_tasks(person, timezone.now())
    assert task.url == "/ja/disclosures/"
    renewed = pledge(person, actor=person)
    assert renewed.number == 2
    assert (renewed.fundings, renewed.positions) == (v1.fundings, v1.positions)
    assert renewed.pledge_text_version == PLEDGE_TEXT_VERSION
    assert timezone.now() - renewed.pledged_at < timedelta(minutes=1)
    assert renewed.created_by == person
    # The old pledge stands as it was: earlier submissions were made with it.
    assert DisclosureVersion.objects.get(pk=v1.pk).pledged_at == v1.pledged_at
    entry = AuditEntry.objects.get(action="integrity.disclosure.pledge_renewed")
    assert (entry.actor, entry.object_id) == (person, str(renewed.pk))
    assert entry.before["number"] == 1
    assert entry.after["number"] == 2
    assert entry.before["pledged_at"] != entry.after["pledged_at"]
    assert pledge_tasks(person, timezone.now()) == []
    assert disclosure_facts(person).pledged is True


def test_pledging_a_current_pledge_again_changes_nothing():
    person, _ = pledged_long_ago(days=364)
    assert pledge_tasks(person, timezone.now()) == []
    again = pledge(person, actor=person)
    assert again.number == 1
    assert not AuditEntry.objects.filter(action="integrity.disclosure.pledge_renewed").exists()
    # Nor does a second press of "renew" right after a renewal.
    person, _ = pledged_long_ago()
    first = pledge(person, actor=person)
    assert pledge(person, actor=person).pk == first.pk
    assert DisclosureVersion.objects.filter(person=person).count() == 2
    assert AuditEntry.objects.filter(action="integrity.disclosure.pledge_renewed").count() == 1


def test_the_page_offers_the_renewal_and_records_it(client):
    person, v1 = pledged_long_ago()
    client.force_login(person)
    page = client.get(EDIT).content.decode()
    assert "more than a year ago" in page
    assert "renewal due" in page
    assert 'name="agree"' in page
    assert "Renew the pledge" in page
    refused = client.post(PLEDGE, {})
    assert refused.status_code == 422
    assert latest_disclosure(person).pk == v1.pk
    response = client.post(PLEDGE, {"agree": "on"})
    assert response.status_code == 302
    assert latest_disclosure(person).number == 2
    page = client.get(response["Location"]).content.decode()
    assert "Your pledge has been renewed." in page
    assert 'name="agree"' not in page  # renewed: nothing more to tick
    assert "renewal due" not in page
    history = client.get(HISTORY).content.decode()
    assert "The pledge of version 1 renewed; no changes from it." in history


def test_a_first_pledge_is_still_a_first_pledge_on_the_page(client):
    person = UserFactory()
    save_disclosure(person, actor=person, fundings=[], positions=[])
    client.force_login(person)
    page = client.get(EDIT).content.decode()
    assert "Make the pledge" in page
    assert "renewal due" not in page
    client.post(PLEDGE, {"agree": "on"})
    page = client.get(EDIT).content.decode()
    assert "Your pledge has been recorded." in page
