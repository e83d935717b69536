"""The reviewer pool's pages: who reaches them, the list (load, search, state,
pages), adding a registered person and editing a profile, with field errors and
nothing saved on bad input."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role
from openrd.accounts.tests.factories import UserFactory
from openrd.core.models import AuditEntry
from openrd.review import services
from openrd.review.models import ReviewerProfile, ReviewRound, RoundStatus

pytestmark = pytest.mark.django_db


def ja(msgid: str) -> str:
    # The catalog's Japanese, whatever its wording: the pages must use the catalog.
    with translation.override("ja"):
        return translation.gettext(msgid)


def jp(context: str, msgid: str) -> str:
    with translation.override("ja"):
        return translation.pgettext(context, msgid)


def page(client, user, url, **post):
    client.force_login(user)
    return client.post(url, post) if post else client.get(url)


def body(response) -> str:
    return response.content.decode()


def profile_of(person) -> ReviewerProfile:
    return ReviewerProfile.objects.get(person=person)


def form(**changes):
    return {
        "research_fields": "量子工学",
        "keywords": "量子, センサ、光学",
        "max_load": "5",
        "is_active": "on",
    } | changes


# ------------------------------------------------------------------ who reaches the pages


def test_only_agency_staff_reach_the_pool_pages(client, reviewing):
    w = reviewing.world
    pd = UserFactory(username="pd")
    assign_role(pd, Role.PROGRAM_DIRECTOR, organisation=Organisation.objects.get(code="nedo"))
    target = profile_of(reviewing.reviewers[0])
    urls = ["/ja/reviews/pool/", "/ja/reviews/pool/add/", f"/ja/reviews/pool/{target.pk}/"]
    before = target.keywords
    for outsider in (w.applicant, reviewing.reviewers[0], w.officer, pd):
        for url in urls:
            assert page(client, outsider, url).status_code == 404, (outsider, url)
            posted = page(client, outsider, url, **form(person=w.stranger.username))
            assert posted.status_code == 404, (outsider, url)
        assert AuditEntry.objects.filter(action="access.denied", actor=outsider).exists()
    assert not ReviewerProfile.objects.filter(person=w.stranger).exists()
    assert profile_of(reviewing.reviewers[0]).keywords == before
    # The pool serves every agency's rounds: the staff of any agency reach it.
    for staff in (w.nedo_staff, w.jst_staff):
        for url in urls:
            assert page(client, staff, url).status_code == 200, (staff, url)
    assert page(client, w.nedo_staff, "/ja/reviews/pool/999999/").status_code == 404


def test_the_rounds_page_links_the_pool(client, reviewing):
    text = body(page(client, reviewing.world.nedo_staff, "/ja/reviews/rounds/"))
    assert 'href="/ja/reviews/pool/"' in text


# ------------------------------------------------------------------ the list


def test_the_list_shows_each_reviewer_with_the_load_in_rounds_not_closed(client, reviewing):
    staff = reviewing.world.nedo_staff
    services.auto_assign(reviewing.round, actor=staff)
    text = body(page(client, staff, "/ja/reviews/pool/"))
    for person in (*reviewing.reviewers, reviewing.colleague):
        p = profile_of(person)
        row = text[text.index(f'data-profile="{p.pk}"') :]
        row = row[: row.index("</tr>")]
        assert person.display_name in row
        assert "量子工学" in row  # research field
        assert "量子、センサ" in row  # keywords
        assert "data-max-load>2</td>" in row
        load = person.review_assignments.filter(round=reviewing.round).count()
        assert f"data-load>{load}</td>" in row
        assert f'<td data-label="{ja("State")}">{jp("reviewer", "Active")}</td>' in row
    assert "data-load>0</td>" in text  # the conflicted colleague has nothing
    assert any(person.review_assignments.exists() for person in reviewing.reviewers)
    # A closed round's assignments are no longer a load.
    ReviewRound.objects.filter(pk=reviewing.round.pk).update(status=RoundStatus.CLOSED)
    text = body(page(client, staff, "/ja/reviews/pool/"))
    assert "data-load>1</td>" not in text
    assert "data-load>2</td>" not in text


def test_search_by_name_keyword_or_field_and_filter_by_state(client, reviewing):
    staff = reviewing.world.nedo_staff
    optics = UserFactory(username="optics", name_ja="光田 花子", name_en="Hanako Mitsuda")
    services.save_reviewer(
        optics, actor=staff, research_fields=["Photonics"], keywords=["ﾚｰｻﾞ"], is_active=False
    )
    mine = profile_of(optics)
    others = [profile_of(p) for p in reviewing.reviewers]

    def listed(query: str) -> set[int]:
        text = body(page(client, staff, f"/ja/reviews/pool/?{query}"))
        return {p.pk for p in [mine, *others] if f'data-profile="{p.pk}"' in text}

    assert listed("q=光田") == {mine.pk}  # name
    assert listed("q=mitsuda") == {mine.pk}  # English name, any case
    assert listed("q=レーザ") == {mine.pk}  # keyword typed full-width, stored half-width
    assert listed("q=PHOTONICS") == {mine.pk}  # research field, any case
    assert listed("q=センサ") == {p.pk for p in others}
    assert listed("q=量子+センサ") == {p.pk for p in others}  # every word
    assert listed("active=inactive") == {mine.pk}
    assert listed("active=active") == {p.pk for p in others}
    assert listed("active=bogus") == {mine.pk, *(p.pk for p in others)}
    assert listed("q=存在しない語") == set()


def test_the_list_pages_and_reads_a_bounded_number_of_queries(client, reviewing):
    staff = reviewing.world.nedo_staff
    client.force_login(staff)

    def count(url: str) -> int:
        client.get(url)  # warm the session and role caches out of the count
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count("/ja/reviews/pool/")
    for i in range(26):
        person = UserFactory(username=f"extra{i:02}")
        services.save_reviewer(person, actor=staff, research_fields=[], keywords=["量子"])
    assert ReviewerProfile.objects.count() == 30
    assert count("/ja/reviews/pool/") == few
    first = body(client.get("/ja/reviews/pool/"))
    second = body(client.get("/ja/reviews/pool/?page=2"))
    assert first.count("data-profile=") == 25
    assert second.count("data-profile=") == 5
    assert 'rel="next"' in first


# ------------------------------------------------------------------ adding


def test_a_registered_person_is_added_by_username_or_email(client, reviewing):
    w = reviewing.world
    response = page(client, w.nedo_staff, "/ja/reviews/pool/add/", **form(person="stranger"))
    assert response.status_code == 302
    added = profile_of(w.stranger)
    assert response["Location"].endswith(f"/reviews/pool/{added.pk}/")
    assert added.keywords == ["量子", "センサ", "光学"]
    assert added.research_fields == ["量子工学"]
    assert (added.max_load, added.is_active) == (5, True)
    assert AuditEntry.objects.filter(
        action="review.reviewer.saved", actor=w.nedo_staff, object_id=str(added.pk)
    ).exists()
    w.co_investigator.email = "Co.Investigator@Example.JP"
    w.co_investigator.save(update_fields=["email"])
    by_mail = page(
        client,
        w.nedo_staff,
        "/ja/reviews/pool/add/",
        **form(person="co.investigator@example.jp", is_active=""),
    )
    assert by_mail.status_code == 302
    assert profile_of(w.co_investigator).is_active is False


def field_error(text: str, name: str) -> str:
    block = text[text.index(f'id="id_{name}_error"') :]
    return block[: block.index("</p>")]


def test_adding_an_unknown_person_or_one_in_the_pool_is_a_field_error(client, reviewing):
    w = reviewing.world
    entries = AuditEntry.objects.filter(action="review.reviewer.saved").count()
    for typed in ("nobody", "nobody@example.jp", ""):
        response = page(client, w.nedo_staff, "/ja/reviews/pool/add/", **form(person=typed))
        assert response.status_code == 422, typed
        assert "field--error" in body(response)
        assert 'id="id_person_error"' in body(response)
    unknown = page(client, w.nedo_staff, "/en/reviews/pool/add/", **form(person="nobody"))
    assert "No registered person has this username" in field_error(body(unknown), "person")
    already = page(
        client,
        w.nedo_staff,
        "/en/reviews/pool/add/",
        **form(person=reviewing.reviewers[0].username),
    )
    assert already.status_code == 422
    assert "already in the reviewer pool" in field_error(body(already), "person")
    # What was typed is kept in the form.
    assert "光学" in body(already)
    assert profile_of(reviewing.reviewers[0]).max_load == 2  # not edited by the add
    assert AuditEntry.objects.filter(action="review.reviewer.saved").count() == entries


def test_two_people_sharing_an_email_ask_for_the_username(client, reviewing):
    w = reviewing.world
    for person in (w.stranger, w.co_investigator):
        person.email = "shared@example.jp"
        person.save(update_fields=["email"])
    response = page(
        client, w.nedo_staff, "/en/reviews/pool/add/", **form(person="shared@example.jp")
    )
    assert response.status_code == 422
    assert "enter the username" in field_error(body(response), "person")
    assert not ReviewerProfile.objects.filter(person__email="shared@example.jp").exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"max_load": "0"}, "max_load"),
        ({"max_load": "101"}, "max_load"),
        ({"max_load": "三"}, "max_load"),
        ({"research_fields": "", "keywords": " 、 , "}, "keywords"),
        ({"keywords": "あ" * 61}, "keywords"),
        ({"keywords": ",".join(f"語{i}" for i in range(31))}, "keywords"),
    ],
)
def test_bad_input_is_422_beside_its_field_and_nothing_is_saved(client, reviewing, changes, field):
    w = reviewing.world
    entries = AuditEntry.objects.filter(action="review.reviewer.saved").count()
    response = page(
        client, w.nedo_staff, "/ja/reviews/pool/add/", **form(person="stranger", **changes)
    )
    assert response.status_code == 422
    assert f'id="id_{field}_error"' in body(response)
    assert not ReviewerProfile.objects.filter(person=w.stranger).exists()
    target = profile_of(reviewing.reviewers[0])
    edited = page(client, w.nedo_staff, f"/ja/reviews/pool/{target.pk}/", **form(**changes))
    assert edited.status_code == 422
    assert f'id="id_{field}_error"' in body(edited)
    again = profile_of(reviewing.reviewers[0])
    assert (again.keywords, again.max_load) == (target.keywords, target.max_load)
    assert AuditEntry.objects.filter(action="review.reviewer.saved").count() == entries


# ------------------------------------------------------------------ editing


def test_a_profile_is_edited_and_deactivated(client, reviewing):
    staff = reviewing.world.nedo_staff
    target = profile_of(reviewing.reviewers[1])
    shown = body(page(client, staff, f"/ja/reviews/pool/{target.pk}/"))
    assert "量子, センサ" in shown  # the keywords as they are edited
    response = page(
        client,
        staff,
        f"/ja/reviews/pool/{target.pk}/",
        **form(
            research_fields="材料科学、量子工学",
            keywords="超伝導\n量子",
            max_load="7",
            is_active="",
        ),
    )
    assert response.status_code == 302
    saved = profile_of(reviewing.reviewers[1])
    assert saved.research_fields == ["材料科学", "量子工学"]
    assert saved.keywords == ["超伝導", "量子"]
    assert (saved.max_load, saved.is_active) == (7, False)
    entry = AuditEntry.objects.filter(
        action="review.reviewer.saved", object_id=str(target.pk)
    ).latest("id")
    assert entry.before["max_load"] == 2
    assert entry.after["max_load"] == 7
    # An inactive reviewer is left out of the next assignment's pool.
    assert not services.pool().filter(pk=target.pk).exists()
    text = body(page(client, staff, "/ja/reviews/pool/?q=超伝導"))
    assert f'data-profile="{target.pk}"' in text
