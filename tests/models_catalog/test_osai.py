"""The European Open Source AI Index's own files: `import_osai`, the grades on model pages, the
score from grades, and the demo's copy of the index (issue 15, items 4 and 5)."""

import csv
import datetime
import io
import shutil
import subprocess
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from config.lib import cache
from models_catalog.backoffice.admin import OpennessGradeInline
from models_catalog.models import AIModel, IndexRelease, IndexSystem, OpennessGrade
from models_catalog.models import derive_openness as derive
from models_catalog.transfer.osai import key
from models_catalog.transfer.osai_files import read_index
from tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "data" / "osai"
INDEX = DATA / "index"
FACTS = Path("/work/shared/osai/index-facts.csv")
# A model page as before the index: the entry (with its index system and release joined),
# tags, own grades, modalities twice, compare choices, articles, siblings when it has a family,
# and (issue 15, item 2-3) its price points and its changelog.
PAGE_QUERIES = 11
DIMENSIONS = [
    "datasources_basemodel", "datasources_endmodel", "weights_basemodel", "weights_endmodel",
    "trainingcode", "code", "hardware_architecture", "preprint", "paper", "modelcard",
    "datasheet", "license",
]  # fmt: skip


@pytest.fixture
def catalog():
    """Curated entries: one the index grades (under another spelling), two it does not."""
    return {
        "llama": AIModelFactory(name="Llama 3.1 405B", slug="llama-3-1-405b", weights="gated"),
        "qwen2": AIModelFactory(name="Qwen2 72B", slug="qwen2-72b", family="Qwen2"),
        "whisper": AIModelFactory(name="Whisper large-v3", slug="whisper-large-v3"),
    }


def run(directory=INDEX, **options):
    out = io.StringIO()
    call_command("import_osai", str(directory), stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


# Reading the files -------------------------------------------------------------------------


def test_reads_the_odd_cases_of_the_format():
    systems = {system.file: system for system in read_index(INDEX)}
    assert sorted(systems) == ["AMD OLMo.yaml", "Qwen.yaml", "Whisper.yaml", "llama-3.1.yaml"]
    olmo = systems["AMD OLMo.yaml"]  # a space in the name; the template was skipped
    assert olmo.release == (datetime.date(2024, 11, 1), "month")  # "2024 NOV"
    grades = olmo.grades
    assert grades["datasources_basemodel"]["grade"] == "open"  # "🟩 open"
    assert grades["weights_basemodel"]["grade"] == "partial"
    assert grades["trainingcode"] == {
        "grade": "closed", "links": [], "notes": "No training code released."
    }  # fmt: skip
    assert [link["url"] for link in grades["datasources_basemodel"]["links"]] == [
        "https://huggingface.co/datasets/allenai/dolma",
        "https://huggingface.co/datasets/allenai/tulu-v2-sft-mixture",
    ]
    assert grades["datasources_endmodel"]["links"] == [
        {"url": "https://huggingface.co/datasets/teknium/OpenHermes-2.5", "text": "the instruction mix"}
    ]  # fmt: skip
    assert grades["preprint"]["grade"] == grades["paper"]["grade"] == ""  # not applicable
    assert "package" not in grades and "license" in grades  # the file's `licenses`
    assert systems["Whisper.yaml"].release == (None, "")  # no release date: unknown
    assert systems["Whisper.yaml"].grades["datasheet"]["grade"] == ""
    assert systems["llama-3.1.yaml"].grades["package"]["grade"] == "closed"


def test_a_link_without_a_web_address_is_kept_as_text_never_as_a_link(tmp_path):
    (tmp_path / "X.yaml").write_text("system: {name: X}\npaper: {link: 'javascript:alert(1)'}")
    [system] = read_index(tmp_path)
    assert system.grades["paper"]["links"] == [{"url": "", "text": "javascript:alert(1)"}]


def test_end_model_names_are_normalised_but_never_to_another_version():
    assert key("Llama-3.1-405B-Instruct") == key("Llama 3.1 405B") == "llama-3-1-405b"
    assert key("Gemma-3-27B-IT") != key("Gemma 2 27B")
    assert key("Qwen3.5-397B-A17B") != key("Qwen2 72B")
    assert key("Whisper-large-v3-turbo") != key("Whisper large-v3")


# Importing ---------------------------------------------------------------------------------


def test_import_links_each_system_to_its_exact_model_and_creates_the_rest(catalog):
    before = AIModel.objects.count()
    output = run(version="test-1")
    assert "4 systems, 3 entries created" in output
    assert AIModel.objects.count() == before + 3
    release = IndexRelease.objects.get()
    assert release.version == "test-1"
    llama = IndexSystem.objects.get(file="llama-3.1.yaml")
    assert llama.aimodel == catalog["llama"] and llama.release == release
    # The family file grades Qwen3.5, so Qwen2 keeps no index grade; Whisper likewise.
    for entry in (catalog["qwen2"], catalog["whisper"]):
        assert AIModel.objects.get(pk=entry.pk).index_system_or_none is None
    qwen = AIModel.objects.get(index_system__file="Qwen.yaml")
    assert (qwen.name, qwen.family, qwen.slug) == ("Qwen3.5-397B-A17B", "Qwen", "qwen3-5-397b-a17b")
    assert (qwen.organization.name, qwen.license.name) == ("Alibaba", "Apache-2.0")
    assert (qwen.release_date, qwen.release_date_precision) == (datetime.date(2026, 2, 1), "month")
    assert qwen.output_modality_list == ["text"] and qwen.homepage_url.startswith("https://")
    olmo = AIModel.objects.get(index_system__file="AMD OLMo.yaml")
    assert (olmo.kind, olmo.release_date) == ("code", datetime.date(2024, 11, 1))
    whisper = AIModel.objects.get(index_system__file="Whisper.yaml")
    assert whisper.release_date is None and whisper.slug == "whisper-large-v3-turbo"


def test_the_score_comes_from_the_index_grades(catalog):
    run()
    llama = AIModel.objects.get(pk=catalog["llama"].pk)
    # Twelve grades: one open, five partial, six closed -> (1 + 2.5) / 12; package and api
    # (in this older file) are shown but not scored.
    assert (llama.openness_score, llama.openness_class) == (29, "open-weights")
    olmo = AIModel.objects.get(index_system__file="AMD OLMo.yaml")
    # Ten graded (two not applicable): 6 open, 2 partial, 2 closed -> 7 / 10.
    assert olmo.openness_score == 70


def test_score_method_excludes_not_applicable_and_ungraded():
    assert derive({"license": "open", "paper": "closed"}, "open")[0] == 50
    assert derive({"license": "open", "paper": "", "api": "closed"}, "open")[0] == 100
    assert derive({"license": "partial"}, "open")[0] == 50
    assert derive({"paper": ""}, "open")[0] is None
    assert derive({}, "closed")[0] is None


def test_own_grade_counts_over_the_index_and_is_shown_beside_it(client, catalog):
    run()
    llama = catalog["llama"]
    OpennessGrade.objects.create(
        aimodel=llama, dimension="weights_endmodel", grade="partial",
        reason="The instruct weights download after accepting the licence: gated, not closed.",
    )  # fmt: skip
    llama.refresh_openness()
    assert AIModel.objects.get(pk=llama.pk).openness_score == 33  # (1 + 3) / 12
    response = client.get(llama.get_absolute_url())
    assertContains(response, 'ModelPress: <span class="grade grade--partial">Partial</span>')
    assertContains(response, "gated, not closed.")
    assertContains(response, "Why ModelPress grades it partial")


def test_a_bad_file_is_refused_naming_file_and_field_and_nothing_is_written(catalog):
    before = AIModel.objects.count()
    err = io.StringIO()
    with pytest.raises(CommandError, match="Refused"), mock.patch.object(cache, "bump") as bump:
        call_command("import_osai", str(DATA / "bad"), stdout=io.StringIO(), stderr=err)
    assert "Broken file.yaml, paper.class: 'mostly open' is not open, partial or closed" in (
        err.getvalue()
    )
    assert AIModel.objects.count() == before and not bump.called
    assert not IndexSystem.objects.exists() and not IndexRelease.objects.exists()


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("system: [not, a, mapping]", "system"),
        ("system: {name: X, releasedate: sometime}", "system.releasedate"),
        ("system: {name: X}\npaper: {class: open, link: [https://a.example, [b]]}", "paper.link"),
        ("system: {name: X}\npaper: {class: open, link: {a: b}}", "paper.link"),
        ("system: {name: ''}", "system.name"),
        ("system: {name: X\n", ""),
    ],
)
def test_bad_fields_are_named(tmp_path, text, field):
    (tmp_path / "Bad.yaml").write_text(text)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_osai", str(tmp_path), stdout=io.StringIO(), stderr=err)
    assert f"Bad.yaml, {field}:" in err.getvalue() if field else "Bad.yaml: " in err.getvalue()


def test_importing_the_same_files_again_changes_nothing(catalog):
    run(version="v1")
    counts = (AIModel.objects.count(), IndexSystem.objects.count(), IndexRelease.objects.count())
    stamps = dict(AIModel.objects.values_list("slug", "updated_at"))
    with (
        mock.patch("models_catalog.writes.entries_imported.send") as sent,
        mock.patch.object(cache, "bump") as bump,
    ):
        output = run(version="v1")
    assert "0 entries created, 0 entries changed" in output
    assert (
        AIModel.objects.count(),
        IndexSystem.objects.count(),
        IndexRelease.objects.count(),
    ) == counts
    assert dict(AIModel.objects.values_list("slug", "updated_at")) == stamps
    assert not bump.called  # no cache bump
    assert sent.call_args.kwargs["pks"] == []  # no entry to re-render, nothing to record


def test_a_new_version_of_the_index_is_recorded_and_a_removed_file_unlinks(catalog, tmp_path):
    run(version="v1")
    copy = tmp_path / "index"
    shutil.copytree(INDEX, copy)
    (copy / "llama-3.1.yaml").unlink()
    run(copy, version="v2")
    assert sorted(IndexRelease.objects.values_list("version", flat=True)) == ["v1", "v2"]
    assert set(IndexSystem.objects.values_list("release__version", flat=True)) == {"v2"}
    llama = AIModel.objects.get(pk=catalog["llama"].pk)
    assert llama.index_system_or_none is None and llama.openness_score is None


def test_version_defaults_to_the_newest_git_commit_else_today(tmp_path):
    copy = tmp_path / "index"
    shutil.copytree(INDEX, copy)
    run(copy)
    assert IndexRelease.objects.get().version == datetime.date.today().isoformat()
    git = ["git", "-C", str(copy), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "index"], check=True)
    found = subprocess.run([*git, "log", "-1", "--format=%H"], capture_output=True, text=True)
    run(copy)
    assert IndexRelease.objects.filter(version=found.stdout.strip()).exists()


def test_progress_is_drawn_only_on_a_terminal(catalog):
    err = io.StringIO()
    call_command("import_osai", str(INDEX), stdout=io.StringIO(), stderr=err)
    assert err.getvalue() == ""
    tty = io.StringIO()
    tty.isatty = lambda: True
    AIModel.objects.filter(index_system__isnull=False).exclude(pk=catalog["llama"].pk).delete()
    call_command("import_osai", str(INDEX), stdout=io.StringIO(), stderr=tty)
    assert "Reading    [" in tty.getvalue() and "4/4" in tty.getvalue()


# The model page ----------------------------------------------------------------------------


def test_model_page_shows_the_index_grades_version_date_and_citation(
    client, catalog, django_assert_max_num_queries, tmp_path
):
    # A copy outside git: in a checkout the date would be that of the folder's last commit.
    shutil.copytree(INDEX, tmp_path / "index")
    run(tmp_path / "index", version="5a388e871b88735e7ab7e6fb230b76c9d460d99a")
    url = catalog["llama"].get_absolute_url()
    with django_assert_max_num_queries(PAGE_QUERIES):
        response = client.get(url)
    assertContains(
        response,
        'index version <code title="5a388e871b88735e7ab7e6fb230b76c9d460d99a">5a388e87</code>',
    )
    assertContains(response, datetime.date.today().strftime("%-d %B %Y"))  # no git: today
    assertContains(response, "doi:10.5281/zenodo.15386042")
    assertContains(response, 'href="https://osai-index.eu/"')
    assertContains(response, "CC-BY 4.0")
    assertContains(response, "Llama-3.1-405B-Instruct")
    assertContains(response, reverse("catalog:methodology"))
    assertContains(response, "Hardware architecture")
    assertContains(response, "API and meta prompts")  # an older file's optional dimension
    assertContains(response, "openness score <strong>29</strong>")
    assertNotContains(response, "ModelPress: <span")  # no own grade differs
    # The page's queries do not grow with the grades shown.
    with django_assert_max_num_queries(PAGE_QUERIES):
        client.get(AIModel.objects.get(index_system__file="AMD OLMo.yaml").get_absolute_url())


def test_a_model_the_index_does_not_assess_says_so(client, catalog):
    run()
    response = client.get(catalog["qwen2"].get_absolute_url())
    assertContains(response, "does not assess this exact model")
    assertNotContains(response, "Graded by the")
    assertNotContains(response, "Qwen.yaml")


def test_methodology_page_says_how_the_score_is_worked_out(client):
    IndexRelease.objects.create(version="v9", date=datetime.date(2026, 6, 12))
    response = client.get(reverse("catalog:methodology"))
    assertContains(response, "twelve dimensions")
    assertContains(response, "Open counts 1, partial 0.5 and closed 0")
    assertContains(response, "doi:10.5281/zenodo.15386042")
    assertContains(response, "12 June 2026")


# The demo's copy of the index --------------------------------------------------------------


@pytest.mark.skipif(not FACTS.exists(), reason="the shared index facts are not on this machine")
def test_demo_loads_the_193_systems_and_agrees_with_index_facts():
    call_command("load_demo_catalog", stdout=io.StringIO())
    with FACTS.open(encoding="utf-8", newline="") as handle:
        rows = {row["file"]: row for row in csv.DictReader(handle)}
    systems = {system.file: system for system in IndexSystem.objects.select_related("aimodel")}
    assert len(rows) == len(systems) == 193
    for file, row in rows.items():
        system = systems[file]
        for dimension in DIMENSIONS:
            column = "licenses" if dimension == "license" else dimension
            found = system.grades[dimension]
            assert found["grade"] == row[f"{column}.class"], (file, dimension)
            assert [link["url"] for link in found["links"]] == row[f"{column}.link"].split()
        # Every system is in the catalog, and its entry shows exactly the index's grades.
        model = system.aimodel
        own = set(model.openness_grades.values_list("dimension", flat=True))
        assert not own & set(system.grades), file
    llama = AIModel.objects.get(slug="llama-3-1-405b")
    assert (llama.index_system.file, llama.openness_score) == ("llama-3.1.yaml", 29)
    assert AIModel.objects.get(slug="qwen2-72b").index_system_or_none is None
    assert IndexRelease.objects.get().date == datetime.date(2026, 6, 12)


def test_compare_shows_the_grades_each_score_counts(client, catalog):
    run()
    OpennessGrade.objects.create(aimodel=catalog["qwen2"], dimension="paper", grade="open")
    slugs = ["llama-3-1-405b", "qwen2-72b"]
    response = client.get(reverse("catalog:compare"), {"m": slugs})
    rows = {row.label: [cell.text for cell in row.cells] for row in response.context["rows"]}
    assert rows["End user model weights"] == ["Closed", "not assessed"]  # the index's
    assert rows["Paper"] == ["Closed", "Open"]  # ModelPress's own for Qwen2
    assert rows["API and meta prompts"] == ["Partial", "not assessed"]  # an older file's


def test_the_admin_takes_the_editor_s_reason_with_a_grade():
    assert "reason" in OpennessGradeInline.fields
