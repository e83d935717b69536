import pytest
from django.http import Http404
from django.test import RequestFactory

from openrd.accounts.models import Organisation
from openrd.accounts.tests.factories import OrganisationFactory, UserFactory
from openrd.core.access import deny, get_visible_or_404
from openrd.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_visible_object_is_returned_without_audit():
    org = OrganisationFactory(code="mine")
    visible = Organisation.objects.filter(code="mine")
    assert get_visible_or_404(visible, code="mine") == org
    assert not AuditEntry.objects.exists()


def test_forbidden_object_is_404_and_audited_missing_one_is_404_silently():
    secret = OrganisationFactory(code="secret")
    user = UserFactory()
    nothing = Organisation.objects.none()
    with pytest.raises(Http404):
        get_visible_or_404(nothing, user=user, code="secret")
    with pytest.raises(Http404):
        get_visible_or_404(nothing, user=user, code="absent")
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor) == ("access.denied", user)
    assert (entry.object_type, entry.object_id) == ("accounts.organisation", str(secret.pk))


def test_deny_audits_the_request_path_and_raises_404():
    user = UserFactory()
    request = RequestFactory().post("/api/v1/organisations", REMOTE_ADDR="192.0.2.7")
    request.user = user
    with pytest.raises(Http404):
        deny(request)
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.object_repr, entry.ip_address) == (
        user, "/api/v1/organisations", "192.0.2.7",
    )  # fmt: skip
