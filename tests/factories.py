"""Test data builders. Records are created through services where the rule matters; these are
for arranging a scene quickly."""

from __future__ import annotations

import factory

from rapport.core.models import Team, Territory, User
from rapport.customers.models import Account, Contact, CustomerCategory
from rapport.leads.models import Lead, LeadSource

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

    @classmethod
    def _create(cls, model_class: type[Contact], *args: object, **kwargs: object) -> Contact:
        contact = model_class(*args, **kwargs)
        contact.refresh_match_keys()  # as the services do: duplicate detection reads these
        contact.save()
        return contact


class LeadFactory(factory.django.DjangoModelFactory[Lead]):
    """A new lead; match keys are filled as the services fill them (the score is not computed)."""

    class Meta:
        model = Lead

    first_name = factory.Faker("first_name")
    last_name = factory.Sequence(lambda n: f"Lead{n:05d}")
    company = factory.Sequence(lambda n: f"Company {n:05d}")
    owner = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class: type[Lead], *args: object, **kwargs: object) -> Lead:
        lead = model_class(*args, **kwargs)
        lead.refresh_match_keys()
        lead.save()
        return lead


def lead_source(code: str) -> LeadSource:
    """One of the sources every installation starts with (campaign, purchased_list, web_form…)."""
    return LeadSource.objects.get(code=code)
