"""The living demo: reference organisations, the seed's programs, demo accounts
and calls for proposals."""

from __future__ import annotations

import tomllib
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from openrd.accounts.mfa_policy import requires_mfa
from openrd.accounts.models import Organisation, User
from openrd.accounts.services import (
    add_affiliation,
    assign_role,
    create_user,
    load_organisations,
    set_up_totp,
    upsert_organisation,
)
from openrd.core.fiscal import TOKYO, fiscal_year_of, to_tokyo
from openrd.ecosystem.accelerators import load_accelerators
from openrd.ecosystem.hubs import load_hubs
from openrd.integrity.services import pledge, save_disclosure
from openrd.portal.demo_ecosystem import load_ecosystem
from openrd.portal.demo_lifecycle import load_lifecycle
from openrd.portal.demo_repository import load_mandated_outputs, load_outputs
from openrd.portal.demo_strategy import load_follow_up, load_follow_ups, load_sbir_subsidies
from openrd.programs.models import Call, CallStatus, Program
from openrd.programs.services import close_call, create_call, load_presets, open_call
from openrd.strategy.services import load_strategies

DEMO_FILE = Path(__file__).resolve().parent / "demo_data.toml"
# Public on purpose: it is printed by the run command and written in the README.
DEMO_PASSWORD = "openrd-demo"  # noqa: S105
# The one TOTP secret (base32) of every privileged demo account, in debug only:
# public too, so anyone trying the demo can compute the six-digit code (README).
DEMO_TOTP_SECRET = "OPENRDDEMOTOTPSECRETFORDEMOONLY2"  # noqa: S105


# Reserved for examples (RFC 2606): never a real mailbox.
DEMO_MAIL_DOMAIN = "demo.openrd.example"


@transaction.atomic
def load_demo(path: Path = DEMO_FILE, *, password: str = DEMO_PASSWORD) -> dict[str, Any]:
    """Load everything a newcomer should see; safe to run on every start."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    load_organisations()
    for entry in data.get("organisations", []):
        fields = dict(entry)
        upsert_organisation(code=fields.pop("code"), **fields)
    programs = load_presets()
    # After the programs: the strategy's measures name them.
    load_strategies()
    load_hubs()
    load_accelerators()
    created = []
    for entry in data.get("users", []):
        if User.objects.filter(username=entry["username"]).exists():
            continue
        created.append(_create_demo_user(entry, password))
    for entry in data.get("users", []):
        _give_demo_address(User.objects.get(username=entry["username"]))
    calls = _load_calls(data.get("calls", []), today=to_tokyo(timezone.now()).date())
    loaded = {
        "programs": [p.code for p, _ in programs],
        "users_created": created,
        "calls_created": calls,
        "proposals_created": _load_proposals(data.get("proposals", [])),
        "awards_created": _load_moonshot_awards(today=to_tokyo(timezone.now()).date()),
        "review_rounds_created": _load_review_round(),
        "lifecycle_created": load_lifecycle(
            data.get("lifecycle", {}), today=to_tokyo(timezone.now()).date()
        ),
        "outputs_created": load_outputs(today=to_tokyo(timezone.now()).date(), pdf=_demo_pdf),
        "mandated_outputs_created": load_mandated_outputs(
            today=to_tokyo(timezone.now()).date(), pdf=_demo_pdf
        ),
        "strategy_values_entered": load_follow_up(today=to_tokyo(timezone.now()).date()),
        "sbir_subsidies_counted": load_sbir_subsidies(today=to_tokyo(timezone.now()).date()),
        "follow_ups_written": load_follow_ups(today=to_tokyo(timezone.now()).date()),
        "ecosystem_loaded": load_ecosystem(today=to_tokyo(timezone.now()).date()),
    }
    # Last: some roles are given by the loaders above (the curator's, for the
    # institution of the award whose outputs they deposit).
    for entry in data.get("users", []):
        user = User.objects.get(username=entry["username"])
        # Privileged accounts must use a second factor; the demo's is known (debug only).
        if settings.DEBUG and requires_mfa(user):
            set_up_totp(user, secret=DEMO_TOTP_SECRET)
    return loaded


_DEMO_REVIEW_TITLE = "ウエハ研磨スラリーの再生利用技術の実現可能性調査（デモ）"
_DEMO_ROUND = "書面審査（デモ）"


@cache  # the same few documents every time the demo is loaded in a process
def _demo_pdf(title: str) -> bytes:
    """A one-page document standing in for an attachment of the demo's proposal."""
    from html import escape

    from openrd.proposals.documents.pdf import PdfUnavailable, html_to_pdf

    try:
        return html_to_pdf(
            f"<html lang='ja'><body><h1>{escape(title)}</h1>"
            "<p>デモ用の架空の書類です。実在の計画ではありません。</p></body></html>"
        )
    except PdfUnavailable:
        import io

        from pypdf import PdfWriter

        writer = PdfWriter()
        writer.add_blank_page(width=595, height=842)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()


def attach_demo_documents(
    proposal: Any, *, call: Call, actor: User, now: datetime | None = None
) -> None:
    """A stand-in PDF for each document the call requires."""
    from openrd.proposals import services as proposals

    for document in call.documents.filter(required=True):
        proposals.attach_document(
            proposal,
            actor=actor,
            document_code=document.code,
            upload=_demo_pdf(f"{document.name_ja}（デモ）"),
            filename=f"{document.code}.pdf",
            now=now,
        )


def _load_review_round() -> list[str]:
    """A second, endorsed proposal of the startup to the open SBIR call, a document
    review round run by NEDO with the demo reviewer in its pool, opened: the reviewer
    finds the request on their dashboard. Left alone once the round exists."""
    from openrd.proposals import services as proposals
    from openrd.review import services as review
    from openrd.review.models import ReviewRound

    # Asked first, and of the rounds alone: a reload costs one cheap query.
    if ReviewRound.objects.filter(name_ja=_DEMO_ROUND).exists():
        return []
    call = Call.objects.filter(program__code="sbir", status=CallStatus.OPEN).first()
    users = {u.username: u for u in User.objects.filter(
        username__in=["startup", "startup-officer", "nedo", "reviewer"])}  # fmt: skip
    if call is None or len(users) < 4:
        return []
    applicant, staff, reviewer = users["startup"], users["nedo"], users["reviewer"]
    proposal = applicant.proposals.filter(title_ja=_DEMO_REVIEW_TITLE).first()
    if proposal is None:
        first = call.first_budget_year
        proposal = proposals.create_proposal(
            actor=applicant,
            call=call,
            changes=proposals.DraftChanges(
                fields={
                    "title_ja": _DEMO_REVIEW_TITLE,
                    "title_en": "Feasibility of recycling wafer polishing slurry (demo)",
                    "abstract_ja": "半導体ウエハの研磨工程で使う研磨スラリーを回収・再生し、"
                    "省エネルギーと資源循環を両立させる技術の実現可能性を調べる。デモ用の架空の提案。",
                    "effort_percent": 30,
                },
                budget=[(first, 7_000_000), (first + 1, 5_000_000)],
            ),
        )
        attach_demo_documents(proposal, call=call, actor=applicant)
        proposals.submit_proposal(proposal, actor=applicant, idempotency_key="demo-review-1")
        proposals.endorse_proposal(proposal, actor=users["startup-officer"])
    review.save_reviewer(
        reviewer,
        actor=staff,
        research_fields=["半導体"],
        keywords=["研磨", "ウエハ", "スラリー", "省エネルギー"],
        max_load=5,
    )
    review_round = review.create_round(
        call,
        actor=staff,
        name_ja=_DEMO_ROUND,
        name_en="Document review (demo)",
        due_at=call.closes_at + timedelta(days=21),
        reviewers_per_proposal=1,
    )
    review.auto_assign(review_round, actor=staff)
    review.open_round(review_round, actor=staff)
    return [review_round.name_ja]


# Budgets and gate dates of the demo's Moonshot Goal 6 projects are illustrative: the
# seed names the projects, their PMs and organisations, not their yearly budgets.
_DEMO_BUDGET_YEN = 300_000_000


def _organisation_for(name_ja: str, name_en: str) -> Organisation:
    found = Organisation.objects.filter(name_en=name_en).first() if name_en else None
    if found is not None:
        return found
    company = any(w in name_en for w in ("Corporation", "Ltd", "Inc"))
    university = "Universit" in name_en or "Institute of" in name_en
    kind = "company" if company else ("university" if university else "national_lab")
    code = "demo-" + "".join(c if c.isalnum() else "-" for c in name_en.lower()).strip("-")[:50]
    return upsert_organisation(code=code, kind=kind, name_ja=name_ja, name_en=name_en)


def _load_moonshot_awards(*, today: date) -> list[str]:
    """Moonshot Goal 6's twelve projects from the seed as awards (PM1–PM12, their
    titles, PMs and organisations), each with an illustrative budget, its first
    stage gate evaluated and the next one due soon. Left alone once they exist."""
    from openrd.awards import services as awards
    from openrd.awards.models import Award
    from openrd.programs.models import ProgramElement

    program = Program.objects.filter(code="moonshot").first()
    staff = User.objects.filter(username="agency").first()
    pm = User.objects.filter(username="pm").first()
    pd = User.objects.filter(username="pd").first()
    if program is None or staff is None or pd is None:
        return []
    created = []
    projects = ProgramElement.objects.filter(
        program=program, kind="project", parent__code="goal-6"
    ).order_by("order")
    for element in projects:
        attrs = element.attrs or {}
        number = f"DEMO-MS6-{attrs.get('pm_code', element.order)}"
        if Award.objects.filter(grant_number=number).exists():
            continue
        award = awards.create_award(
            actor=staff,
            program=program,
            element=element,
            grant_number=number,
            title_ja=element.title_ja,
            title_en=element.title_en,
            pi_name_ja=str(attrs.get("pm_name_ja", "")),
            pi_name_en=str(attrs.get("pm_name_en", "")),
            institution=_organisation_for(
                str(attrs.get("organisation_ja", "")), str(attrs.get("organisation_en", ""))
            ),
            pm=pm if element.order == 1 else None,
            starts_on=date(2020, 12, 1),
            ends_on=date(2030, 11, 30),
            budget=[(fy, _DEMO_BUDGET_YEN) for fy in range(2020, 2026)],
            # Recorded now: the reports of the years before were handled before.
            reports_due_from=today,
            gates=[
                ("第1回ステージゲート評価（デモ）", "First stage gate (demo)", date(2023, 11, 30)),
                ("第2回ステージゲート評価（デモ）", "Second stage gate (demo)",
                 today + timedelta(days=20 + element.order)),
            ],
        )  # fmt: skip
        first = award.stage_gates.order_by("due_on").first()
        assert first is not None
        awards.evaluate_gate(
            first,
            "continue",
            actor=pd,
            reasons="デモ：研究開発は計画どおり進捗しており、継続とする。",
            now=datetime.combine(date(2023, 12, 15), time(10), tzinfo=TOKYO),
        )
        created.append(number)
    return created


def _load_proposals(entries: list[dict[str, Any]]) -> list[str]:
    """Create the demo drafts that do not exist yet (by applicant and title), through
    the services: each member is invited by e-Rad number and accepts, as in life."""
    from openrd.proposals import services as proposals

    created = []
    for entry in entries:
        applicant = User.objects.get(username=entry["applicant"])
        if applicant.proposals.filter(title_ja=entry["title_ja"]).exists():
            continue
        call = Call.objects.filter(program__code=entry["program"], status=CallStatus.OPEN).first()
        if call is None:
            continue
        first = call.first_budget_year
        proposal = proposals.create_proposal(
            actor=applicant,
            call=call,
            changes=proposals.DraftChanges(
                fields={k: entry[k] for k in ("title_ja", "title_en", "abstract_ja") if k in entry}
                | {"effort_percent": entry.get("effort_percent")},
                budget=[(first + offset, amount) for offset, amount in entry.get("budget", [])],
            ),
        )
        for member in entry.get("members", []):
            person = User.objects.get(username=member["username"])
            invited = proposals.invite_member(
                proposal,
                actor=applicant,
                name=person.name_ja,
                erad_number=person.erad_researcher_number or "",
                role=member.get("role", "co_investigator"),
            )
            proposals.accept_invitation(invited.member, actor=person)
            if member.get("shares"):
                proposals.set_member(
                    invited.member,
                    actor=applicant,
                    shares=[(first + offset, amount) for offset, amount in member["shares"]],
                )
        created.append(entry["title_ja"])
    return created


def _give_demo_address(user: User) -> None:
    """A verified address on a reserved domain, so the demo's mail (receipts,
    endorsement requests) is written to var/mail/ where it can be read."""
    from allauth.account.models import EmailAddress

    if not user.email:
        user.email = f"{user.username}@{DEMO_MAIL_DOMAIN}"
        user.save(update_fields=["email"])
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def _org(code: str) -> Organisation | None:
    return Organisation.objects.get(code=code) if code else None


def _create_demo_user(entry: dict[str, Any], password: str) -> str:
    fields = {
        k: entry[k]
        for k in ("name_ja", "name_en", "name_kana", "orcid", "erad_researcher_number")
        if k in entry
    }
    user = create_user(
        username=entry["username"],
        password=password,
        organisation=_org(entry.get("organisation", "")),
        is_staff=bool(entry.get("staff", False)),
        is_superuser=bool(entry.get("staff", False)),
        **fields,
    )
    for role, org_code in entry.get("roles", []):
        assign_role(user, role, organisation=_org(org_code))
    for aff in entry.get("affiliations", []):
        position: dict[str, Any] = dict(aff)
        organisation = _org(position.pop("organisation"))
        assert organisation is not None
        add_affiliation(user, organisation, **position)
    if "disclosure" in entry:
        disclosure = entry["disclosure"]
        save_disclosure(user, actor=user, fundings=disclosure["fundings"],
                        positions=disclosure["positions"])  # fmt: skip
        pledge(user, actor=user)
    return user.username


CALL_KEYS = {
    "code", "program", "topic", "agency", "presenting_ministry", "status", "opens_in_days",
    "opens_time", "closes_in_days", "closes_time", "budget_years", "total_budget_yen",
    "cap_per_proposal_yen", "eligibility", "title_ja", "title_en", "summary_ja", "summary_en",
    "documents", "criteria",
}  # fmt: skip


def _tokyo(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=TOKYO)


def _load_calls(entries: list[dict[str, Any]], *, today: date) -> list[str]:
    """Create the demo calls that do not exist yet, through the services, dated
    from ``today`` (in Japan). One query when they all exist, as on every restart."""
    planned = []
    for entry in entries:
        unknown = set(entry) - CALL_KEYS
        if unknown:
            raise ValueError(f"demo call {entry.get('code')}: unknown key(s) {sorted(unknown)}")
        opens_at = _tokyo(today + timedelta(days=entry["opens_in_days"]), entry["opens_time"])
        closes_at = _tokyo(today + timedelta(days=entry["closes_in_days"]), entry["closes_time"])
        fiscal_year = fiscal_year_of(opens_at)
        code = entry["code"].format(fy=fiscal_year)
        planned.append((entry, code, opens_at, closes_at, fiscal_year))
    existing = set(
        Call.objects.filter(code__in=[code for _, code, *_ in planned]).values_list(
            "code", flat=True
        )
    )
    created = []
    for entry, code, opens_at, closes_at, fiscal_year in planned:
        if code in existing:
            continue
        program = Program.objects.get(code=entry["program"])
        first, last = entry["budget_years"]
        call = create_call(
            actor=None,
            program=program,
            agency=Organisation.objects.get(code=entry["agency"]),
            presenting_ministry=_org(entry.get("presenting_ministry", "")),
            topic=program.elements.get(code=entry["topic"]) if entry.get("topic") else None,
            code=code,
            title_ja=entry["title_ja"],
            title_en=entry.get("title_en", ""),
            summary_ja=entry.get("summary_ja", ""),
            summary_en=entry.get("summary_en", ""),
            opens_at=opens_at,
            closes_at=closes_at,
            fiscal_year=fiscal_year,
            first_budget_year=fiscal_year + first,
            last_budget_year=fiscal_year + last,
            total_budget_yen=entry["total_budget_yen"],
            cap_per_proposal_yen=entry["cap_per_proposal_yen"],
            eligibility=entry.get("eligibility", {}),
            documents=entry.get("documents", []),
            criteria=entry.get("criteria", []),
        )
        status = entry.get("status", CallStatus.DRAFT)
        if status in (CallStatus.OPEN, CallStatus.CLOSED):
            # A past call is replayed as it happened: opened when it opened.
            open_call(call, actor=None, now=min(opens_at, timezone.now()))
        if status == CallStatus.CLOSED:
            close_call(call, actor=None, now=closes_at)
        created.append(code)
    return created
