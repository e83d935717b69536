from __future__ import annotations

from typing import Any

import factory

from openrd.accounts.models import Organisation, OrganisationKind, User


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"org-{n}")
    kind = OrganisationKind.UNIVERSITY
    name_ja = factory.Sequence(lambda n: f"組織{n}")
    name_en = factory.Sequence(lambda n: f"Organisation {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name_ja = factory.Sequence(lambda n: f"利用者{n}")
    name_en = factory.Sequence(lambda n: f"User {n}")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def roles(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        from openrd.accounts.services import assign_role

        for role in extracted or []:
            assign_role(self, role)
