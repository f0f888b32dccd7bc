"""import_communes: shipped files, idempotence, and malformed files that change nothing."""

import io

import pytest
from django.core.management import CommandError, call_command

from territory.models import Commune, Territory
from territory.services import CommuneImportError, import_communes

pytestmark = pytest.mark.django_db

HEADER = "insee_code,name,postcode,population,latitude,longitude\n"
VALENCIENNES = "59606,Valenciennes,59300,43468,50.3579,3.5233\n"
ANZIN = "59014,Anzin,59410,13183,50.3754,3.5111\n"


@pytest.fixture
def csv_file(tmp_path):
    def write(content, name="communes.csv"):
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        return path

    return write


def run(*args) -> str:
    stdout = io.StringIO()
    call_command("import_communes", *args, stdout=stdout, stderr=io.StringIO())
    return stdout.getvalue()


def database_state():
    return (
        list(Territory.objects.values_list("name", "slug", "siren")),
        list(Commune.objects.order_by("insee_code").values_list("insee_code", "name", "population", "territory_id")),
    )


def test_shipped_name_imports_the_35_communes_of_valenciennes_metropole():
    output = run("valenciennes_metropole")
    territory = Territory.objects.get()
    assert (territory.name, territory.slug, territory.siren) == (
        "Valenciennes Métropole",
        "valenciennes-metropole",
        "245901160",
    )
    assert territory.communes.count() == 35
    valenciennes = Commune.objects.get(insee_code="59606")
    assert (valenciennes.name, valenciennes.postcodes, valenciennes.population) == ("Valenciennes", "59300", 43468)
    assert "35 communes : 35 créée(s), 0 mise(s) à jour, 0 inchangée(s)" in output


def test_shipped_mel_file_keeps_every_postcode_of_lille():
    run("mel")
    territory = Territory.objects.get(slug="metropole-europeenne-de-lille")
    assert (territory.name, territory.siren, territory.communes.count()) == (
        "Métropole Européenne de Lille",
        "200093201",
        95,
    )
    assert Commune.objects.get(insee_code="59350").postcode_list == ["59000", "59160", "59260", "59777", "59800"]


def test_shipped_maubeuge_val_de_sambre_file():
    run("maubeuge_val_de_sambre")
    territory = Territory.objects.get(slug="maubeuge-val-de-sambre")
    assert (territory.siren, territory.communes.count()) == ("200043396", 43)


def test_second_run_changes_nothing_and_says_so():
    run("valenciennes_metropole")
    before = database_state()
    output = run("valenciennes_metropole")
    assert database_state() == before
    assert "35 communes : 0 créée(s), 0 mise(s) à jour, 35 inchangée(s)" in output
    assert "Rien n'a changé." in output


def test_changed_row_is_updated(csv_file):
    run(str(csv_file(HEADER + VALENCIENNES + ANZIN)), "--territory", "Valenciennes Métropole")
    output = run(
        str(csv_file(HEADER + VALENCIENNES.replace("43468", "43500") + ANZIN)), "--territory", "Valenciennes Métropole"
    )
    assert Commune.objects.get(insee_code="59606").population == 43500
    assert "2 communes : 0 créée(s), 1 mise(s) à jour, 1 inchangée(s)" in output


def test_custom_file_takes_territory_siren_and_slug(csv_file):
    run(str(csv_file(HEADER + VALENCIENNES)), "--territory", "Mon EPCI", "--siren", "123456789", "--slug", "mon-epci")
    assert list(Territory.objects.values_list("name", "slug", "siren")) == [("Mon EPCI", "mon-epci", "123456789")]


def test_custom_file_needs_a_territory_name(csv_file):
    with pytest.raises(CommandError, match="--territory"):
        run(str(csv_file(HEADER + VALENCIENNES)))
    assert not Territory.objects.exists()


def test_unknown_name_lists_the_shipped_files():
    with pytest.raises(CommandError, match="valenciennes_metropole, mel, maubeuge_val_de_sambre"):
        run("lille")


def test_corsican_insee_codes_are_accepted(csv_file):
    import_communes(csv_file(HEADER + "2A004,Ajaccio,20000|20090,68916,41.9272,8.7346\n"), "Pays Ajaccien")
    assert Commune.objects.get().insee_code == "2A004"


def test_spreadsheet_csv_with_semicolons_and_decimal_commas(csv_file):
    content = "\ufeff" + HEADER.replace(",", ";") + "59606;Valenciennes;59300;43468;50,3579;3,5233\n"
    import_communes(csv_file(content), "Valenciennes Métropole")
    assert Commune.objects.get().latitude == pytest.approx(50.3579)


def test_commune_missing_from_the_file_is_kept_and_reported(csv_file):
    import_communes(csv_file(HEADER + VALENCIENNES + ANZIN), "Valenciennes Métropole")
    result = import_communes(csv_file(HEADER + VALENCIENNES), "Valenciennes Métropole")
    assert [commune.insee_code for commune in result.not_in_file] == ["59014"]
    assert Commune.objects.count() == 2


MALFORMED = {
    "missing_column": (HEADER.replace(",population", "") + "59606,Valenciennes,59300,50.35,3.52\n", "population"),
    "invalid_insee_code": (HEADER + VALENCIENNES + VALENCIENNES.replace("59606", "5960"), "« 5960 »"),
    "missing_name": (HEADER + VALENCIENNES + ANZIN.replace("Anzin", ""), "nom de la commune est vide"),
    "invalid_postcode": (HEADER + VALENCIENNES + ANZIN.replace("59410", "5941"), "« 5941 »"),
    "invalid_population": (HEADER + VALENCIENNES + ANZIN.replace("13183", "13183.5"), "nombre entier"),
    "invalid_latitude": (HEADER + VALENCIENNES + ANZIN.replace("50.3754", "95.1"), "latitude « 95.1 »"),
    "invalid_longitude": (HEADER + VALENCIENNES + ANZIN.replace("3.5111", "est"), "longitude « est »"),
    "duplicate_insee_code": (HEADER + VALENCIENNES + ANZIN + VALENCIENNES, "figure déjà ligne 2"),
    "empty_file": ("", "vide"),
}


@pytest.mark.parametrize("code", MALFORMED)
def test_malformed_file_is_refused_with_its_problem_and_imports_nothing(csv_file, code):
    content, message = MALFORMED[code]
    with pytest.raises(CommuneImportError) as excinfo:
        import_communes(csv_file(content), "Valenciennes Métropole")
    assert [problem.code for problem in excinfo.value.problems] == [code]
    assert message in str(excinfo.value)
    assert database_state() == ([], [])


def test_error_names_the_line_in_french(csv_file):
    path = csv_file(HEADER + VALENCIENNES + ANZIN.replace("13183", "beaucoup"))
    with pytest.raises(CommandError) as excinfo:
        run(str(path), "--territory", "Valenciennes Métropole")
    assert "rien n'a été modifié" in str(excinfo.value)
    assert "ligne 3 : population « beaucoup » : un nombre entier est attendu." in str(excinfo.value)


def test_every_problem_of_the_file_is_listed(csv_file):
    path = csv_file(HEADER + VALENCIENNES.replace("59606", "ABCDE") + ANZIN.replace("50.3754", "x"))
    with pytest.raises(CommuneImportError) as excinfo:
        import_communes(path, "Valenciennes Métropole")
    assert [(problem.line, problem.code) for problem in excinfo.value.problems] == [
        (2, "invalid_insee_code"),
        (3, "invalid_latitude"),
    ]


def test_commune_of_another_territory_is_refused(csv_file):
    run("valenciennes_metropole")
    before = database_state()
    with pytest.raises(CommuneImportError) as excinfo:
        import_communes(csv_file(HEADER + VALENCIENNES), "Autre EPCI")
    assert excinfo.value.code == "commune_in_other_territory"
    assert "appartient déjà au territoire « Valenciennes Métropole »" in str(excinfo.value)
    assert database_state() == before


def test_malformed_reimport_leaves_the_database_as_it_was(csv_file):
    import_communes(csv_file(HEADER + VALENCIENNES + ANZIN), "Valenciennes Métropole")
    before = database_state()
    # The first row is a valid update: it must not be written either.
    path = csv_file(HEADER + VALENCIENNES.replace("43468", "1") + ANZIN.replace("59014", "59O14"))
    with pytest.raises(CommuneImportError):
        import_communes(path, "Valenciennes Métropole", siren="245901160")
    assert database_state() == before


def test_existing_territory_is_never_renamed(csv_file):
    import_communes(csv_file(HEADER + VALENCIENNES), "Valenciennes Métropole", slug="valenciennes-metropole")
    with pytest.raises(CommuneImportError) as excinfo:
        import_communes(csv_file(HEADER + VALENCIENNES), "Valenciennes Métropole", slug="cavm")
    assert excinfo.value.code == "slug_mismatch"
