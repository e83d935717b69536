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


def _anonymous_request(addr="192.0.2.9"):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/ja/calls/1/", REMOTE_ADDR=addr)
    request.user = AnonymousUser()
    return request


def test_repeated_denials_within_the_interval_are_counted_not_written():
    secret = OrganisationFactory(code="secret")
    nothing = Organisation.objects.none()
    for _ in range(50):
        with pytest.raises(Http404):
            get_visible_or_404(nothing, request=_anonymous_request(), code="secret")
    entry = AuditEntry.objects.get()
    assert (entry.object_id, entry.ip_address, entry.actor) == (str(secret.pk), "192.0.2.9", None)


def test_each_client_and_each_object_gets_its_own_entry():
    OrganisationFactory(code="one")
    OrganisationFactory(code="two")
    user = UserFactory()
    nothing = Organisation.objects.none()
    for code, kwargs in [
        ("one", {"request": _anonymous_request("192.0.2.9")}),
        ("one", {"request": _anonymous_request("192.0.2.10")}),
        ("two", {"request": _anonymous_request("192.0.2.9")}),
        ("one", {"user": user}),
        ("one", {"user": user}),
    ]:
        with pytest.raises(Http404):
            get_visible_or_404(nothing, code=code, **kwargs)
    assert AuditEntry.objects.filter(action="access.denied").count() == 4


def test_after_the_interval_the_next_denial_is_written_with_the_count_of_repeats():
    from django.core.cache import cache

    OrganisationFactory(code="secret")
    nothing = Organisation.objects.none()
    for _ in range(4):
        with pytest.raises(Http404):
            get_visible_or_404(nothing, request=_anonymous_request(), code="secret")
    # The window's key expiring is the interval passing (LocMem, the test cache).
    for key in [k for k in cache._cache if "audit-once" in k]:
        del cache._cache[key], cache._expire_info[key]
    with pytest.raises(Http404):
        get_visible_or_404(nothing, request=_anonymous_request(), code="secret")
    first, second = AuditEntry.objects.order_by("seq")
    assert first.after is None
    assert second.after == {"repeats": 3}


def test_a_suppressed_denial_answers_exactly_like_a_missing_object():
    # The same Http404 for a hidden object (first and repeated) and for none at all.
    nothing = Organisation.objects.none()
    OrganisationFactory(code="secret")
    answers = []
    for code in ["secret", "secret", "absent"]:
        with pytest.raises(Http404) as caught:
            get_visible_or_404(nothing, request=_anonymous_request(), code=code)
        answers.append((type(caught.value), caught.value.args))
    assert answers[0] == answers[1] == answers[2]


def test_deny_without_an_object_is_bounded_per_path():
    user = UserFactory()
    for path in ["/api/v1/organisations", "/api/v1/organisations", "/api/v1/other"]:
        request = RequestFactory().post(path)
        request.user = user
        with pytest.raises(Http404):
            deny(request)
    assert sorted(AuditEntry.objects.values_list("object_repr", flat=True)) == [
        "/api/v1/organisations", "/api/v1/other",
    ]  # fmt: skip
