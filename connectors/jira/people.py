"""Jira accounts → people of the organization, as the bundle references them: matched by the
alias `jira:<account>`, then by e-mail (an alias or a person's e-mail); an unknown account becomes
a new person flagged for review (as `import_git` does), never duplicated by a re-sync."""

from collections.abc import Iterable

from accounts.models import Organization, Person, PersonAlias
from connectors.external_ids import ExternalIds
from connectors.jira.mapping import Catalog


def person_alias(account: str) -> str:
    return f"jira:{account}".lower()[:254]


class PeopleResolver:
    """People for the accounts of one page."""

    def __init__(self, *, organization: Organization, catalog: Catalog, ids: ExternalIds) -> None:
        self.organization, self.catalog, self.ids = organization, catalog, ids

    def resolve(self, accounts: Iterable[str]) -> tuple[list[dict], set[int], dict[str, int]]:
        """New people (flagged for review), stored people referenced, and account -> person id.
        An account is matched to a stored person by its `jira:` alias, then its e-mail (as an
        alias or a person's e-mail); an unknown account becomes a new person."""
        accounts = sorted(set(accounts))
        found = self.ids.known_rows("person", accounts, queryset=Person.objects.filter(organization=self.organization))
        stored_ids = set(found.values())
        new_people, by_email = [], {}
        for account in accounts:
            if account in found:
                continue
            user = self.catalog.users.get(account) or {}
            email = (user.get("email") or "").strip().lower()
            person_id = self._match(account, email)
            if person_id is None and email and email in by_email:
                person_id = by_email[email]
            if person_id is not None:
                self.ids.remember("person", account, person_id)
                found[account] = person_id
                if person_id not in {person["id"] for person in new_people}:
                    stored_ids.add(person_id)
                continue
            person_id = self.ids.resolve("person", [account], model=Person)[account]
            found[account] = person_id
            aliases = [person_alias(account)]
            if email:
                by_email[email] = person_id
            new_people.append(
                {
                    "id": person_id, "name": (user.get("name") or account)[:200],
                    "email": email if "@" in email else "", "aliases": aliases, "needs_review": True,
                }
            )  # fmt: skip
        return new_people, stored_ids, found

    def _match(self, account: str, email: str) -> int | None:
        values = [person_alias(account)] + ([email] if email else [])
        aliases = dict(
            PersonAlias.objects.filter(organization=self.organization, value__in=values).values_list(
                "value", "person_id"
            )
        )
        for value in values:
            if value in aliases:
                return aliases[value]
        if email:
            people = Person.objects.filter(organization=self.organization, email__iexact=email)
            return people.order_by("needs_review", "id").values_list("id", flat=True).first()
        return None
