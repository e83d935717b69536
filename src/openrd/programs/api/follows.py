"""Following programs over the API: the same steps as the program page's button."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Schema

from openrd.accounts.api_auth import api_auth
from openrd.core.api_schemas import WRITE_ERRORS, ErrorOut
from openrd.programs.api import router
from openrd.programs.follow import FollowState, follow_program, followed_programs, unfollow_program


class FollowOut(Schema):
    program: str = Field(description="Program code")
    following: bool = Field(description="Whether the signed-in user now follows the program")
    followers: int = Field(description="How many people follow the program")


class FollowedProgramOut(Schema):
    code: str
    name_ja: str
    name_en: str


def _state(state: FollowState) -> FollowOut:
    return FollowOut(program=state.code, following=state.following, followers=state.followers or 0)


# The write errors but 422: the only input is the program code in the path.
FOLLOW_ERRORS = {k: v for k, v in WRITE_ERRORS.items() if k != 422}


@router.put(
    "/programs/{code}/follow",
    response={200: FollowOut, **FOLLOW_ERRORS},
    auth=api_auth,
    summary="Follow a program (notified when one of its calls opens)",
    description="Idempotent: following a program already followed changes nothing. "
    "401 without credentials; 403 with a read-scope token; 404 for a program that does "
    "not exist or is not public.",
    operation_id="openrd_programs_api_follow_program",
)
def follow(request: HttpRequest, code: str) -> FollowOut:
    return _state(follow_program(request.user, code))


@router.delete(
    "/programs/{code}/follow",
    response={200: FollowOut, **FOLLOW_ERRORS},
    auth=api_auth,
    summary="Stop following a program",
    description="Idempotent: unfollowing a program not followed changes nothing. "
    "401 without credentials; 403 with a read-scope token; 404 for a program that does "
    "not exist or is not public.",
    operation_id="openrd_programs_api_unfollow_program",
)
def unfollow(request: HttpRequest, code: str) -> FollowOut:
    return _state(unfollow_program(request.user, code))


@router.get(
    "/me/follows",
    response={200: list[FollowedProgramOut], 401: ErrorOut},
    auth=api_auth,
    summary="The programs the signed-in user follows",
    description="By program code. A read-scope token may read it. 401 without credentials.",
    operation_id="openrd_programs_api_list_follows",
)
def list_follows(request: HttpRequest) -> list[FollowedProgramOut]:
    return [
        FollowedProgramOut(code=p.code, name_ja=p.name_ja, name_en=p.name_en)
        for p in followed_programs(request.user)
    ]
