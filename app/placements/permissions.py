"""Who may do what with placements and the candidate pool. Predicates read as
sentences; they judge the person, and placements.service judges the state.

Parties are the company's contacts and the school's teachers (any member of
the organisation); coordinators see everything and may propose on a
company's behalf, end a placement and look after the pool, but the yes or no
to a proposal is the parties' own. Proposing, registering candidates and
reading the pool reach beyond one's organisation: only members of approved
organisations do them."""

from __future__ import annotations

from sqlalchemy import false, or_, select

from app.accounts.models import Organisation, User
from app.accounts.permissions import acts_for, is_member_of, organisations_acted_for
from app.placements.models import Placement, Professional


def schools_of(user: User) -> list[Organisation]:
    """The approved schools a person acts for."""
    return organisations_acted_for(user, "school")


def companies_of(user: User) -> list[Organisation]:
    """The approved companies a person acts for."""
    return organisations_acted_for(user, "company")


def is_party_of_company(user: User, placement: Placement) -> bool:
    return is_member_of(user, placement.company)


def is_party_of_school(user: User, placement: Placement) -> bool:
    return is_member_of(user, placement.school)


def is_party(user: User, placement: Placement) -> bool:
    return is_party_of_company(user, placement) or is_party_of_school(user, placement)


def can_view_placement(user: User, placement: Placement) -> bool:
    return user.is_coordinator or is_party(user, placement)


def is_on_side(user: User, placement: Placement, side: str | None) -> bool:
    if side == "company":
        return is_party_of_company(user, placement)
    if side == "school":
        return is_party_of_school(user, placement)
    return False


def side_of(user: User | None, placement: Placement) -> str:
    """The side someone acts for, for the history: the awaited side first (a
    person in both organisations answers for the side that is asked)."""
    if user is None:
        return ""
    for side in (placement.awaiting, "company", "school"):
        if is_on_side(user, placement, side):
            return side
    return "coordinator" if user.is_coordinator else ""


def can_accept(user: User, placement: Placement) -> bool:
    return is_on_side(user, placement, placement.awaiting)


def can_counter(user: User, placement: Placement) -> bool:
    """Only a fresh proposal can be countered; a counter is answered yes or no."""
    return placement.status == "proposed" and can_accept(user, placement)


def can_decline(user: User, placement: Placement) -> bool:
    return can_accept(user, placement)


def can_withdraw(user: User, placement: Placement) -> bool:
    if placement.status not in ("proposed", "countered"):
        return False
    if is_on_side(user, placement, placement.proposed_by):
        return True
    # A coordinator who proposed on the company's behalf may take it back.
    return (
        user.is_coordinator
        and placement.proposed_by == "company"
        and placement.proposed_by_id == user.id
    )


def can_end(user: User, placement: Placement) -> bool:
    return placement.status == "agreed" and (user.is_coordinator or is_party(user, placement))


def can_change_lessons(user: User, placement: Placement) -> bool:
    return placement.status == "agreed" and is_party(user, placement)


def can_propose_for_company(user: User, company: Organisation) -> bool:
    return (
        company.kind == "company"
        and company.is_approved
        and (user.is_coordinator or acts_for(user, company))
    )


def can_propose_for_school(user: User, school: Organisation) -> bool:
    return school.kind == "school" and acts_for(user, school)


def can_propose(user: User) -> bool:
    return user.is_coordinator or bool(companies_of(user)) or bool(schools_of(user))


def can_search_pool(user: User) -> bool:
    return user.is_coordinator or bool(schools_of(user)) or bool(companies_of(user))


def can_see_candidate(user: User, professional: Professional) -> bool:
    """Listed entries are visible to everyone who searches the pool; pending and
    unlisted ones to coordinators and the company that registered them."""
    if user.is_coordinator:
        return True
    if professional.company_id and any(c.id == professional.company_id for c in companies_of(user)):
        return True
    return professional.is_listed and can_search_pool(user)


def can_see_candidate_contact(user: User, professional: Professional) -> bool:
    """A self-registered person's e-mail is for the coordinators who broker."""
    return user.is_coordinator


def can_approve_candidates(user: User) -> bool:
    return user.is_coordinator


def can_register_candidate_for(user: User, company: Organisation) -> bool:
    return (
        company.kind == "company"
        and company.is_approved
        and (user.is_coordinator or acts_for(user, company))
    )


def can_see_overview(user: User) -> bool:
    return user.is_coordinator


def visible_placements(user: User):
    """A select() of the placements this person may see."""
    query = select(Placement)
    if user.is_coordinator:
        return query
    ids = [o.id for o in user.organisations() if o.kind in ("school", "company")]
    if not ids:
        return query.where(false())
    return query.where(or_(Placement.company_id.in_(ids), Placement.school_id.in_(ids)))


def can_record_hr(user: User, placement: Placement) -> bool:
    """The VOG, qualification and supervisor are the school's HR questions."""
    return is_party_of_school(user, placement)
