"""`flask users create`, `flask api-token create EMAIL`, `flask demo load`."""

from sqlalchemy import func, select

from app.accounts.models import ApiToken, Membership, Organisation, User
from tests import factories
from tests.apps import login


def run(app, *args: str, input: str | None = None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_users_create_makes_a_person_with_a_membership(app, db):
    school = factories.school(name="Het Stedelijk Lyceum")
    db.session.commit()
    result = run(
        app,
        "users",
        "create",
        "--email",
        "Nieuwe@School.test",
        "--name",
        "Nieuwe Docent",
        "--organisation",
        "Het Stedelijk Lyceum",
        "--role",
        "teacher",
        "--password",
        "lang-wachtwoord",
    )
    assert result.exit_code == 0, result.output
    assert "nieuwe@school.test is teacher at Het Stedelijk Lyceum" in result.output

    user = db.session.scalar(select(User).where(User.email == "nieuwe@school.test"))
    assert user.name == "Nieuwe Docent"
    assert [(m.organisation_id, m.role) for m in user.memberships] == [(school.id, "teacher")]
    login(app.test_client(), user, "lang-wachtwoord")


def test_users_create_finds_the_organisation_by_id_and_adds_to_an_existing_person(app, db, teacher):
    company = factories.company()
    db.session.commit()
    result = run(
        app,
        "users",
        "create",
        "--email",
        teacher.email,
        "--name",
        "ignored",
        "--organisation",
        str(company.id),
        "--role",
        "contact",
        "--password",
        "wordt-genegeerd",
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert sorted(m.role for m in teacher.memberships) == ["contact", "teacher"]
    assert teacher.check_password(factories.PASSWORD)  # an existing password is kept


def test_users_create_prompts_for_what_is_missing(app, db):
    factories.network(name="Techniekpact")
    db.session.commit()
    result = run(
        app,
        "users",
        "create",
        input="\n".join(
            ["coord@pact.test", "Co Ordinator", "Techniekpact", "coordinator"]
            + ["geheim-en-lang", "geheim-en-lang", ""]
        ),
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "coord@pact.test"))
    assert user.memberships[0].role == "coordinator"


def test_users_create_refuses_nonsense(app, db):
    school = factories.school()
    db.session.commit()
    base = [
        "users",
        "create",
        "--email",
        "x@school.test",
        "--name",
        "X",
        "--password",
        "lang-genoeg",
    ]

    unknown = run(app, *base, "--organisation", "Bestaat Niet", "--role", "teacher")
    assert unknown.exit_code != 0 and "No organisation 'Bestaat Niet'" in unknown.output

    wrong_role = run(app, *base, "--organisation", str(school.id), "--role", "contact")
    assert wrong_role.exit_code != 0 and "Error" in wrong_role.output

    weak = run(
        app,
        "users",
        "create",
        "--email",
        "y@school.test",
        "--name",
        "Y",
        "--password",
        "kort",
        "--organisation",
        str(school.id),
        "--role",
        "teacher",
    )
    assert weak.exit_code != 0 and "Error" in weak.output

    bad_address = run(
        app,
        "users",
        "create",
        "--email",
        "geen adres",
        "--name",
        "Z",
        "--password",
        "lang-genoeg",
        "--organisation",
        str(school.id),
        "--role",
        "teacher",
    )
    assert bad_address.exit_code != 0

    assert count(db, User) == 0
    assert count(db, Membership) == 0


def test_api_token_create_prints_a_working_token(app, client, db, teacher):
    result = run(app, "api-token", "create", teacher.email, "--name", "Rooster")
    assert result.exit_code == 0, result.output
    raw = result.output.strip()
    assert raw.startswith("tp_")
    token = db.session.scalar(select(ApiToken))
    assert token.name == "Rooster" and token.user_id == teacher.id
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200 and response.get_json()["email"] == teacher.email


def test_api_token_create_for_an_unknown_person_fails(app, db):
    result = run(app, "api-token", "create", "niemand@school.test")
    assert result.exit_code != 0
    assert "No account for niemand@school.test" in result.output
    assert count(db, ApiToken) == 0


def _counts(db) -> dict[str, int]:
    """Rows per table, for every table of the metadata."""
    return {
        table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in db.metadata.sorted_tables
    }


def test_demo_load_fills_an_empty_database_once_and_is_idempotent(app, db):
    # --if-empty loads an empty database (one load of the demo takes seconds:
    # every path of the command shares it).
    first = run(app, "demo", "load", "--if-empty")
    assert first.exit_code == 0, first.output
    assert first.output.startswith("Demo region loaded:")
    after_first = _counts(db)
    assert after_first["organisation"] > 50 and after_first["user"] > 50
    # The curriculum: its reference entries, tagged activities, school offers.
    assert after_first["curriculum_entry"] > 60
    assert after_first["activity_tags"] > after_first["activity"]
    assert after_first["school_offers"] > 0

    second = run(app, "demo", "load")
    assert second.exit_code == 0, second.output
    assert second.output == first.output
    assert _counts(db) == after_first

    skipped = run(app, "demo", "load", "--if-empty")
    assert skipped.exit_code == 0 and "not loaded" in skipped.output
    assert _counts(db) == after_first

    coordinator = db.session.scalar(select(User).where(User.email == "coordinator@demo.test"))
    assert coordinator.is_coordinator and coordinator.check_password("techniek")
    _the_demo_roles_are_as_the_readme_says(db)
    _the_demo_shows_coverage_in_pupils_with_gaps()


def _the_demo_shows_coverage_in_pupils_with_gaps():
    from app.insights.filters import Scope
    from app.insights.service import pupil_coverage
    from app.school_year import SchoolYear

    found = pupil_coverage(Scope.region(), SchoolYear.current())
    total = found.total
    # Every demo school has pupil numbers; some took part, not all.
    assert len({c.school_id for c in found.cells}) == 21
    assert 0 < total.at_least <= total.at_most < total.enrolled


def _the_demo_roles_are_as_the_readme_says(db):
    from app.accounts.permissions import roles_to_invite
    from app.accounts.service import approve_organisation
    from app.notifications.permissions import can_see_mail_queue

    def person(email):
        return db.session.scalar(select(User).where(User.email == email))

    beheer, coordinator = person("beheer@demo.test"), person("coordinator@demo.test")
    assert can_see_mail_queue(beheer) and beheer.is_coordinator
    for email, organisation, role in [
        ("docent@demo.test", "Vakcollege De Kolk", "teacher"),
        ("bedrijf@demo.test", "Hengelo Aandrijftechniek", "contact"),
        ("anouk.bosch.1@school.demo.test", "Vakcollege De Kolk", "administrator"),
        ("bram.oude.elferink.24@bedrijf.demo.test", "Hengelo Aandrijftechniek", "administrator"),
    ]:
        someone = person(email)
        [membership] = someone.memberships
        assert (membership.organisation.name, membership.role) == (organisation, role)
        assert not someone.is_coordinator and not can_see_mail_queue(someone)
    waiting = db.session.scalars(select(Organisation).where(Organisation.status == "pending")).all()
    assert len(waiting) == 2
    for organisation in waiting:
        [founder] = organisation.memberships
        assert roles_to_invite(founder.user, organisation) == []
        approve_organisation(organisation, coordinator)
        assert founder.role == "administrator"
    db.session.rollback()
