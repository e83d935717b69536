"""What the award page's includes for members and matching funds need, worked out
from the award and the signed-in user, so the page's view stays as it is."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from openrd.awards.matching import matching_for, ratio_of, ratio_source
from openrd.awards.models import Award, MemberRole
from openrd.awards.views_people import award_years, initial_rows
from openrd.programs.rules import program_rules

register = template.Library()


def _staff_url(context: template.Context, name: str, award: Award) -> str:
    """The staff page's address where the page says its reader manages the award's
    program (``is_staff``, worked out once by the view), else ""."""
    return reverse(name, args=[award.pk]) if context.get("is_staff") else ""


@register.simple_tag(takes_context=True)
def award_members_panel(context: template.Context, award: Award) -> dict[str, Any]:
    edit_url = _staff_url(context, "awards:members", award)
    return {
        "members": list(award.members.select_related("institution")),
        "edit_url": edit_url,
        "rows": initial_rows(award) if edit_url else [],
        "roles": MemberRole.choices,
    }


@register.simple_tag(takes_context=True)
def award_matching_panel(context: template.Context, award: Award) -> dict[str, Any]:
    years = matching_for(award)
    if years is None:
        return {"years": None}
    rules = program_rules(award.program.rules)
    ratio = ratio_of(rules)
    return {
        "years": years,
        "ratio_percent": None if ratio is None else f"{ratio * 100:g}",
        "source": ratio_source(rules),
        "edit_url": _staff_url(context, "awards:matching", award),
        "year_choices": award_years(award),
    }
