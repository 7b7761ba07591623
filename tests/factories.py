"""Test data builders. Records are created through services where the rule matters; these are
for arranging a scene quickly."""

from __future__ import annotations

import factory

from rapport.core.models import Team, Territory, User
from rapport.customers.models import Account, Contact, CustomerCategory

PASSWORD = "correct-horse-battery-9"


class TeamFactory(factory.django.DjangoModelFactory[Team]):
    class Meta:
        model = Team
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Team {n}")

    @factory.post_generation
    def set_path(obj: Team, create: bool, extracted: object, **kwargs: object) -> None:
        parent_path = obj.parent.path if obj.parent is not None else "/"
        obj.path = f"{parent_path}{obj.pk}/"
        obj.save(update_fields=["path"])


class TerritoryFactory(factory.django.DjangoModelFactory[Territory]):
    class Meta:
        model = Territory
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Territory {n}")

    @factory.post_generation
    def set_path(obj: Territory, create: bool, extracted: object, **kwargs: object) -> None:
        parent_path = obj.parent.path if obj.parent is not None else "/"
        obj.path = f"{parent_path}{obj.pk}/"
        obj.save(update_fields=["path"])


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role_id = "salesperson"

    @factory.post_generation
    def password(obj: User, create: bool, extracted: str | None, **kwargs: object) -> None:
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class CategoryFactory(factory.django.DjangoModelFactory[CustomerCategory]):
    class Meta:
        model = CustomerCategory

    name = factory.Sequence(lambda n: f"Category {n}")


class AccountFactory(factory.django.DjangoModelFactory[Account]):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Account {n:05d}")
    owner = factory.SubFactory(UserFactory)


class ContactFactory(factory.django.DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    first_name = factory.Faker("first_name")
    last_name = factory.Sequence(lambda n: f"Contact{n:05d}")
    owner = factory.SubFactory(UserFactory)
