"""Who may do what: role predicates and the admin."""

import pytest

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role, load_organisations
from openrd.accounts.tests.factories import UserFactory
from openrd.programs.models import Program

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(Role))
def test_only_the_command_tower_manages_organisations(role):
    user = UserFactory(roles=[role])
    assert user.has_perm("accounts.manage_organisations") is (role == Role.COMMAND_TOWER_ADMIN)


def test_inactive_command_tower_admin_has_no_permission():
    user = UserFactory(roles=[Role.COMMAND_TOWER_ADMIN], is_active=False)
    assert user.has_perm("accounts.manage_organisations") is False


def test_people_see_their_own_profile_only():
    me, other = UserFactory(), UserFactory()
    assert me.has_perm("accounts.view_person_profile", me) is True
    assert me.has_perm("accounts.view_person_profile", other) is False


def test_figures_are_recorded_by_staff_of_the_programs_agencies(loaded_programs):
    moonshot = Program.objects.get(code="moonshot")
    jst_staff, jsps_staff, researcher = UserFactory(), UserFactory(), UserFactory()
    assign_role(jst_staff, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="jst"))
    assign_role(jsps_staff, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="jsps"))
    assign_role(researcher, Role.RESEARCHER)
    assert jst_staff.has_perm("programs.record_figure", moonshot) is True
    assert jsps_staff.has_perm("programs.record_figure", moonshot) is False
    assert researcher.has_perm("programs.record_figure", moonshot) is False


def test_anyone_may_view_programs(loaded_programs):
    from django.contrib.auth.models import AnonymousUser

    assert AnonymousUser().has_perm("programs.view_program") is True


def test_admin_site_is_closed_to_non_staff(client):
    load_organisations()
    client.force_login(UserFactory(roles=[Role.AGENCY_STAFF]))
    response = client.get("/ja/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_audit_log_in_admin_is_read_only_even_for_superusers(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/ja/admin/core/auditentry/").status_code == 200
    assert client.get("/ja/admin/core/auditentry/add/").status_code == 403
