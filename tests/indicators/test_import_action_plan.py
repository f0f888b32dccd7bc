"""import_action_plan: the shipped plans, re-imports, and malformed plans that change nothing."""

import io
import textwrap

import pytest
from django.core.management import CommandError, call_command

from events.models import EventKind
from indicators.models import Action, ActionPlan, Committee, Objective, Orientation
from indicators.services import PlanImportError, import_action_plan
from territory.models import Territory

pytestmark = pytest.mark.django_db

SMALL_PLAN = """\
territory: Valenciennes Métropole
title: Plan de test
short_title: TEST 2024-2026
period: {start: 2024, end: 2026}
governance:
  - {name: Comité de pilotage, min_meetings_per_year: 1}
orientations:
  - code: T1
    title: Visibilité
    objectives:
      - code: T1.1
        title: Faire connaître l'ESS
        actions:
          - {code: T1.1.a, title: Village itinérant}
          - {code: T1.1.b, title: Rencontres thématiques}
      - code: T1.2
        title: Sensibiliser les jeunes
default_action_for_kind:
  itinerant_village: T1.1.a
  thematic_breakfast: T1.1.b
volunteering_action: T1.2
"""


@pytest.fixture
def yaml_file(tmp_path):
    def write(content, name="plan.yaml"):
        path = tmp_path / name
        path.write_text(textwrap.dedent(content), encoding="utf-8")
        return path

    return write


def run(*args) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import_action_plan", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def plan_rows():
    return (
        list(ActionPlan.objects.values_list("short_title", "title", "start_year", "end_year")),
        list(Orientation.objects.order_by("code").values_list("code", "title", "position")),
        list(Objective.objects.order_by("code").values_list("code", "title", "orientation__code")),
        list(Action.objects.order_by("code").values_list("code", "title", "objective__code", "stands_for_objective")),
        list(Committee.objects.order_by("name").values_list("name", "min_meetings_per_year")),
    )


# The shipped plans -----------------------------------------------------------------


def test_pldess_imports_by_its_shipped_name(territory):
    run("valenciennes_pldess_2021_2026")
    plan = ActionPlan.objects.get()
    assert (plan.short_title, plan.territory, plan.start_year, plan.end_year) == (
        "PLDESS 2021-2026",
        territory,
        2021,
        2026,
    )
    assert plan.orientations.count() == 4
    assert Objective.objects.filter(orientation__plan=plan).count() == 8
    assert Action.objects.of_plan(plan).count() == 24
    assert not Action.objects.filter(stands_for_objective=True).exists()
    assert "valenciennes_pldess_2021_2026.yaml" in plan.source


def test_pldess_governance_becomes_committees(territory):
    run("valenciennes_pldess_2021_2026")
    assert list(Committee.objects.order_by("name").values_list("name", "min_meetings_per_year")) == [
        ("Collectif d'acteurs", 2),
        ("Comité de pilotage", 1),
        ("Comité technique", 2),
    ]


def test_pldess_default_action_of_each_event_kind(territory):
    run("valenciennes_pldess_2021_2026")
    plan = ActionPlan.objects.get()
    defaults = {kind: plan.default_action_for_kind(kind).code for kind in EventKind.values}
    assert defaults == {
        "thematic_breakfast": "O3.2.a",
        "itinerant_village": "O3.1.b",
        "elected_awareness": "O3.1.a",
        "youth_outreach": "O4.1.a",
    }
    assert plan.volunteering_action_code == "O4.1.b"


def test_mel_objectives_without_actions_get_one_action_standing_for_them():
    Territory.objects.create(name="Métropole Européenne de Lille", slug="metropole-europeenne-de-lille")
    run("mel_pmdess_2015_2020")
    plan = ActionPlan.objects.get(short_title="PMDESS 2015-2020")
    objectives = Objective.objects.filter(orientation__plan=plan)
    assert (plan.orientations.count(), objectives.count()) == (5, 19)
    for objective in objectives:
        assert list(objective.actions.values_list("code", "title", "stands_for_objective")) == [
            (objective.code, objective.title, True)
        ]
    assert plan.default_action_codes == {}
    assert list(plan.committees.values_list("name", "every_years").order_by("name")) == [
        ("Assises métropolitaines de l'ESS", 3),
        ("Comité métropolitain de l'ESS", None),
    ]


def test_sambre_plan_imports_into_the_territory_given():
    call_command("import_communes", "maubeuge_val_de_sambre", stdout=io.StringIO())
    run("sambre_avesnois_2012", "--territory", "maubeuge-val-de-sambre")
    plan = ActionPlan.objects.get(short_title="Plan d'actions ESS Sambre-Avesnois")
    assert plan.territory.slug == "maubeuge-val-de-sambre"
    assert (plan.start_year, plan.end_year) == (2012, 2014)
    assert list(plan.orientations.values_list("code", flat=True)) == ["S1", "S2", "S3"]
    assert list(Objective.objects.filter(orientation__plan=plan).values_list("code", flat=True)) == [
        "S1.1",
        "S2.1",
        "S3.1",
    ]
    actions = Action.objects.of_plan(plan)
    assert actions.count() == 15
    assert actions.get(code="S1.1.d").title.startswith("Moments solidaires")
    assert not plan.committees.exists()


def test_plan_of_an_unknown_territory_asks_to_import_its_communes_first():
    with pytest.raises(CommandError) as excinfo:
        run("sambre_avesnois_2012")
    assert "le territoire « Sambre-Avesnois » n'existe pas encore" in str(excinfo.value)
    assert "import_communes" in str(excinfo.value)
    assert not ActionPlan.objects.exists()


def test_unknown_territory_slug_is_refused(territory):
    with pytest.raises(CommandError, match="Territoire inconnu : nulle-part"):
        run("valenciennes_pldess_2021_2026", "--territory", "nulle-part")


def test_plan_from_a_stream(territory):
    result = import_action_plan(io.StringIO(SMALL_PLAN))
    assert result.plan_created
    assert result.plan.default_action_for_kind("itinerant_village").code == "T1.1.a"


# Re-imports -------------------------------------------------------------------------


def test_reimport_changes_nothing_and_says_so(territory):
    run("valenciennes_pldess_2021_2026")
    before = plan_rows()
    output, _ = run("valenciennes_pldess_2021_2026")
    assert plan_rows() == before
    assert "0 créée(s), 0 mise(s) à jour, 40 inchangée(s), 0 supprimée(s)" in output
    assert "Rien n'a changé." in output


def test_reimport_updates_titles_and_positions_and_adds_new_items(territory, yaml_file):
    import_action_plan(yaml_file(SMALL_PLAN))
    changed = SMALL_PLAN.replace("title: Village itinérant}", "title: Village itinérant de l'ESS}").replace(
        "          - {code: T1.1.b, title: Rencontres thématiques}",
        "          - {code: T1.1.c, title: Portraits d'acteurs}\n"
        "          - {code: T1.1.b, title: Rencontres thématiques}",
    )
    result = import_action_plan(yaml_file(changed))
    assert not result.plan_created
    assert (result.created, result.updated) == (1, 2)
    actions = Action.objects.filter(objective__code="T1.1").order_by("position")
    assert list(actions.values_list("code", "title")) == [
        ("T1.1.a", "Village itinérant de l'ESS"),
        ("T1.1.c", "Portraits d'acteurs"),
        ("T1.1.b", "Rencontres thématiques"),
    ]


def test_reimport_deletes_what_the_file_no_longer_lists(territory, yaml_file):
    import_action_plan(yaml_file(SMALL_PLAN))
    shorter = SMALL_PLAN.replace("      - code: T1.2\n        title: Sensibiliser les jeunes\n", "").replace(
        "volunteering_action: T1.2\n", ""
    )
    result = import_action_plan(yaml_file(shorter))
    assert result.deleted == 2  # the objective and the action standing for it
    assert not Objective.objects.filter(code="T1.2").exists()
    assert result.warnings == []


def test_reimport_keeps_an_action_that_events_link_to_and_warns(territory, yaml_file, make_event):
    import_action_plan(yaml_file(SMALL_PLAN))
    make_event(kind=EventKind.THEMATIC_BREAKFAST)  # 2026: served by T1.1.b by default
    without_breakfasts = SMALL_PLAN.replace("          - {code: T1.1.b, title: Rencontres thématiques}\n", "").replace(
        "  thematic_breakfast: T1.1.b\n", ""
    )
    _, stderr = run(str(yaml_file(without_breakfasts)))
    assert Action.objects.filter(code="T1.1.b").exists()
    assert "L'action T1.1.b n'est plus dans le fichier, mais 1 événement(s) s'y rattachent" in stderr


def test_reimport_keeps_a_committee_added_in_the_admin_and_warns(territory, yaml_file):
    plan = import_action_plan(yaml_file(SMALL_PLAN)).plan
    Committee.objects.create(plan=plan, name="Collectif d'acteurs", min_meetings_per_year=2)
    result = import_action_plan(yaml_file(SMALL_PLAN))
    assert sorted(plan.committees.values_list("name", flat=True)) == ["Collectif d'acteurs", "Comité de pilotage"]
    assert result.warnings == ["L'instance « Collectif d'acteurs » n'est pas dans le fichier : elle est conservée."]


def test_objective_that_gets_actions_loses_its_standing_action(territory, yaml_file):
    import_action_plan(yaml_file(SMALL_PLAN))
    detailed = SMALL_PLAN.replace(
        "        title: Sensibiliser les jeunes\n",
        "        title: Sensibiliser les jeunes\n        actions:\n          - {code: T1.2.a, title: Lycées}\n",
    ).replace("volunteering_action: T1.2", "volunteering_action: T1.2.a")
    import_action_plan(yaml_file(detailed))
    assert list(Action.objects.filter(objective__code="T1.2").values_list("code", "stands_for_objective")) == [
        ("T1.2.a", False)
    ]


def test_plan_of_another_territory_is_not_overwritten(territory, yaml_file):
    import_action_plan(yaml_file(SMALL_PLAN))
    other = Territory.objects.create(name="Autre EPCI", slug="autre-epci")
    with pytest.raises(PlanImportError) as excinfo:
        import_action_plan(yaml_file(SMALL_PLAN), territory=other)
    assert excinfo.value.code == "plan_of_other_territory"


# Malformed plans --------------------------------------------------------------------

DUPLICATE = "          - {code: T1.1.a, title: Doublon}\n"
MALFORMED = {
    "invalid_yaml": (SMALL_PLAN.replace("period: {start: 2024, end: 2026}", "period: {start: 2024, end: 2026"), None),
    "missing_key": (SMALL_PLAN.replace("title: Plan de test\n", ""), "clé « title » manquante"),
    "not_text": (SMALL_PLAN.replace("title: Visibilité", "title: 2024"), "« title » doit être un texte"),
    "duplicate_code": (
        SMALL_PLAN.replace("title: Rencontres thématiques}\n", "title: Rencontres thématiques}\n" + DUPLICATE),
        "code « T1.1.a » en double",
    ),
    "unknown_kind": (
        SMALL_PLAN.replace("  thematic_breakfast: T1.1.b", "  breakfast: T1.1.b"),
        "type d'événement inconnu « breakfast »",
    ),
    "unknown_action": (
        SMALL_PLAN.replace("thematic_breakfast: T1.1.b", "thematic_breakfast: T9.9"),
        "l'action « T9.9 » (pour thematic_breakfast) n'existe pas",
    ),
    "period_order": (SMALL_PLAN.replace("end: 2026", "end: 2020"), "la fin (2020) précède le début (2024)"),
    "not_list": (
        SMALL_PLAN.replace(
            "governance:\n  - {name: Comité de pilotage, min_meetings_per_year: 1}\n", "governance: chaque année\n"
        ),
        "« governance » doit être une liste",
    ),
    "not_a_plan": ("- une liste\n- et non un plan\n", "le fichier doit décrire un plan"),
}


@pytest.mark.parametrize("code", MALFORMED)
def test_malformed_plan_is_refused_and_nothing_is_imported(territory, yaml_file, code):
    content, message = MALFORMED[code]
    with pytest.raises(PlanImportError) as excinfo:
        import_action_plan(yaml_file(content))
    assert [problem.code for problem in excinfo.value.problems] == [code]
    if message:
        assert message in str(excinfo.value)
    assert plan_rows() == ([], [], [], [], [])


def test_invalid_yaml_names_its_line(territory, yaml_file):
    broken = SMALL_PLAN.replace("    title: Visibilité\n", "    title: Visibilité\n   objectives: [\n")
    with pytest.raises(CommandError) as excinfo:
        run(str(yaml_file(broken)))
    assert "YAML invalide" in str(excinfo.value)
    assert "ligne 10" in str(excinfo.value)


def test_problems_name_the_line_of_the_faulty_item(territory, yaml_file):
    with pytest.raises(PlanImportError) as excinfo:
        import_action_plan(
            yaml_file(
                SMALL_PLAN.replace("title: Rencontres thématiques}\n", "title: Rencontres thématiques}\n" + DUPLICATE)
            )
        )
    assert (
        str(excinfo.value.problems[0]) == "ligne 16 : code « T1.1.a » en double dans le plan (déjà utilisé ligne 14)."
    )


def test_malformed_reimport_leaves_the_plan_as_it_was(territory, yaml_file):
    import_action_plan(yaml_file(SMALL_PLAN))
    before = plan_rows()
    # Valid changes to titles, then a bad default action: none of it may be written.
    broken = SMALL_PLAN.replace("Plan de test", "Plan renommé").replace(
        "itinerant_village: T1.1.a", "itinerant_village: X"
    )
    with pytest.raises(PlanImportError):
        import_action_plan(yaml_file(broken))
    assert plan_rows() == before


def test_missing_file_lists_the_shipped_plans(territory):
    with pytest.raises(CommandError) as excinfo:
        run("pldess_2030")
    assert "fichier introuvable : pldess_2030" in str(excinfo.value)
    assert "valenciennes_pldess_2021_2026" in str(excinfo.value)
