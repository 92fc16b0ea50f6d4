"""Who acts on a source: the steward ROLE a catalogue entry names, resolved to the person the
deployment gives that role (catalogue/areas.yml `stewards:`).

Why: the publisher of a feed (ONS, the police, the FSA) is not the person who can act when the
council's copy is stale or broken: that is the council officer who fetches it (the steward).
The shared catalogue names roles only (`housing`, `gis`, `public_data`...), so it carries no
person's address and serves any borough; each deployment says who holds each role. Every
owner the platform shows or alerts (Dagster asset owners, quality records, release metadata)
comes from `steward_for`, so no address is written in code.
"""
from __future__ import annotations

from typing import Iterable, Mapping

from .errors import CatalogueError
from .models import Owner, Source


class StewardError(CatalogueError):
    """A source's steward role cannot be resolved, or resolves to the publisher."""


def steward_problems(sources: Iterable[Source], stewards: Mapping[str, Owner], where: str = "catalogue/areas.yml") -> list[str]:
    """One line per source whose steward role is not in `stewards` or whose steward is its
    publisher (same email as the publisher's contact); empty when all resolve."""
    problems = []
    for source in sources:
        person = stewards.get(source.steward)
        if person is None:
            known = ", ".join(sorted(stewards)) or "none"
            problems.append(f"source {source.id!r} field 'steward': role {source.steward!r} has no person in "
                            f"{where} `stewards:` (roles there: {known})")
            continue
        publisher_email = source.publisher.email
        if publisher_email and publisher_email.strip().lower() == person.email.strip().lower():
            problems.append(f"source {source.id!r} field 'steward': role {source.steward!r} is held by "
                            f"{person.email}, the publisher's own contact ({source.publisher.name}); the steward "
                            f"is the council person who fetches the data, never the publisher")
    return problems


def stewards_of(settings) -> dict[str, Owner]:
    """The deployment's steward roles: {role: person}, from catalogue/areas.yml."""
    from social_progress.borough import area_config

    return dict(area_config(settings).stewards)


def steward_for(source: Source, settings) -> Owner:
    """The person (name, email) who acts on `source` in this deployment.

    Raises StewardError naming the source and the role when the deployment has no person for
    it, or when that person is the publisher."""
    stewards = stewards_of(settings)
    problems = steward_problems([source], stewards, _where(settings))
    if problems:
        raise StewardError(problems[0])
    return stewards[source.steward]


def check_stewards(catalogue, settings) -> None:
    """Every source's role resolves to a steward distinct from its publisher, or StewardError
    listing all that do not (run when the catalogue and the deployment are loaded together:
    the Dagster definitions, `social-progress prepare` and `refresh`)."""
    problems = steward_problems(catalogue.sources, stewards_of(settings), _where(settings))
    if problems:
        raise StewardError("\n".join(f"{catalogue.path}: {p}" for p in problems))


def _where(settings) -> str:
    try:
        return str(settings.areas_path.resolve().relative_to(settings.project_root.resolve()))
    except (ValueError, AttributeError):
        return str(getattr(settings, "areas_path", "catalogue/areas.yml"))
