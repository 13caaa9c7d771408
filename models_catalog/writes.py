"""The one write path for catalog entries: derive, validate, write, announce.

The admin saves one entry with its tags and grades (`aimodel_save`); the importer and the demo
loader write many in a handful of bulk queries (`entries_write`); deletions and the
organisations and licences entries point to come through here too. Every write

- derives the stored fields from what was typed (`AIModel.derive`: description_html, the
  release date's precision, the openness score and class);
- validates with the models' own fields (`full_clean`; entries.py's `entry_problems` for
  the bulk path, which the importer calls first to name the rows);
- writes, in one transaction;
- works out per entry what changed, old → new, and who or what wrote it (changes.py's
  `Change` and `WriteContext`);
- announces it once (announce.py): the pages showing those entries are invalidated and
  their search documents re-indexed; then `entries_imported` tells other apps (articles
  re-render the bodies that reference them), after a one-entry write too, since its grades
  are written after the row's own post_save. Deletions reach them through post_delete.

A row saved directly (a shell, a fixture) still derives its fields and announces itself
(AIModel.save, announce.AnnouncedOnWrite); it is not validated and reports no Change.
"""

from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from models_catalog import announce
from models_catalog.announce import announcing
from models_catalog.changes import (
    DERIVED_COLUMNS,
    FACT_COLUMNS,
    MODALITY_LINKS,
    Change,
    diff,
    facts,
    moves_in_lists,
    with_facts,
)
from models_catalog.entries import Entry, InvalidEntries, entry_problems
from models_catalog.models import (
    AIModel,
    IndexRelease,
    IndexSystem,
    License,
    OpennessGrade,
    Organization,
    PricePoint,
    TaggedModel,
    in_order,
)
from models_catalog.models.history import record
from models_catalog.models.provenance import point_tuple

# Sent at the end of every write with `pks`: the entries it created or changed (their fields,
# tags or grades). Other apps listen to keep what they derive from entries current: an
# article's `[[compare:…]]` table shows grades and the score, which one entry's save writes
# after the row itself (so the row's post_save alone comes too early).
entries_imported = Signal()

WRITTEN_COLUMNS = [*FACT_COLUMNS, *DERIVED_COLUMNS, "description_html"]
BATCH = 500


@contextmanager
def _writing(context):
    """One transaction, whose announcements (announce.py) are made once, at its end."""
    with transaction.atomic(), announcing():
        yield


# Facts, and the end of every write --------------------------------------------------------


def _entry_facts(model, entry):
    """{fact: value} for `model` once `entry` is written to it."""
    found = {name: getattr(model, name) for name in FACT_COLUMNS + DERIVED_COLUMNS}
    found["tags"] = tuple(sorted(name.lower() for name in entry.tags))
    for name in MODALITY_LINKS:
        found[name] = tuple(in_order(getattr(entry, name)))
    found["prices"] = tuple(sorted(point_tuple(*point) for point in entry.prices))
    for key, grade in entry.grades.items():
        found[f"openness.{key}"] = tuple(grade)
    return found


def _stored(pk):
    return with_facts(AIModel.objects.filter(pk=pk)).get()


def _finish(changes, context, bulk=False):
    """Keep `changes` in the history of facts and announce them, once per write, inside its
    transaction."""
    pks = sorted(change.pk for change in changes if change.changed)
    plain = [change.pk for change in changes if change.changed and not moves_in_lists(change)]
    current = AIModel.objects.filter(pk__in=pks).prefetch_related("price_points")
    record(changes, context, {model.pk: model for model in current})
    announce.entries_changed(pks)
    announce.entries_changed(plain, structural=False)
    if bulk or pks:  # a bulk write always reports, even that it changed nothing
        entries_imported.send(sender=AIModel, pks=pks)


# One entry ---------------------------------------------------------------------------------


def aimodel_save(model, context, related=None):
    """Validate, derive, write and announce one entry; its Change.

    `related(model)` writes what lives beside the row once it has a key: the admin saves its
    form's tags and its grade inline there. The openness is derived again after it.
    """
    created = model._state.adding
    with _writing(context):
        before = {} if created else facts(_stored(model.pk))
        # Constraints are left to the derivation, which keeps them (and the database checks).
        model.full_clean(validate_constraints=False)
        model.save()  # derives
        if related is not None:
            related(model)
        model.refresh_openness()
        change = Change(
            model.pk, model.slug, created, fields=diff(before, facts(_stored(model.pk)))
        )
        _finish([change], context)
    return change


def aimodels_delete(models, context):
    """Delete `models` and announce it; [Change]."""
    with _writing(context):
        stored = with_facts(AIModel.objects.filter(pk__in=[model.pk for model in models]))
        changes = [Change(m.pk, m.slug, deleted=True, fields=diff(facts(m), {})) for m in stored]
        AIModel.objects.filter(pk__in=[change.pk for change in changes]).delete()
        _finish(changes, context)
    return changes


def organization_save(organization, context):
    """Save an organisation or a licence (its save announces what shows it)."""
    with _writing(context):
        organization.full_clean()
        organization.save()


def organization_delete(organization, context):
    """Delete an organisation or a licence no entry points to (entries protect theirs)."""
    with _writing(context):
        organization.delete()


license_save, license_delete = organization_save, organization_delete


# Many entries ------------------------------------------------------------------------------


@dataclass
class _Plan:
    """What writing one entry takes."""

    model: AIModel
    entry: Entry
    created: bool
    fields: dict
    columns: bool = False  # the row itself is written

    def change(self):
        return Change(self.model.pk, self.model.slug, self.created, fields=self.fields)


def entries_write(entries, context, progress=None):
    """Write `entries` (new, or matched to stored ones by slug) in a handful of bulk queries,
    whatever their number; [Change], one per entry in order.

    The file is the truth for the entries it names: their tags and grades are replaced.
    `progress(phase, done, total)` is told how the writing goes. InvalidEntries, with nothing
    written, if the models refuse any entry (the importer asks `entry_problems` first, to
    name the rows).
    """
    unchecked = [entry for entry in entries if not entry.checked]
    problems = {entry.slug: found for entry in unchecked if (found := entry_problems(entry))}
    if problems:
        raise InvalidEntries(problems)
    with _writing(context):
        names = {
            Organization: _ensure_named(Organization, {e.organization for e in entries}),
            License: _ensure_named(License, {e.license for e in entries}),
        }
        stored = with_facts(AIModel.objects.filter(slug__in=[e.slug for e in entries]))
        existing = {model.slug: model for model in stored}
        now = timezone.now()
        plans = [_plan(entry, existing.get(entry.slug), names, now) for entry in entries]
        _write_rows(plans, progress)
        _replace_grades([(p.model, p.entry.grades) for p in plans if _touches(p, "openness.")])
        _replace_tags([(p.model, p.entry.tags) for p in plans if _touches(p, "tags")])
        _replace_prices([(p.model, p.entry.prices) for p in plans if _touches(p, "prices")])
        for name in MODALITY_LINKS:
            relink = [(p.model, getattr(p.entry, name)) for p in plans if _touches(p, name)]
            _replace_links(getattr(AIModel, name).through, relink)
        changes = [plan.change() for plan in plans]
        _finish(changes, context, bulk=True)
    return changes


def _plan(entry, model, names, now):
    created = model is None
    before = {} if created else facts(model)
    model = model or AIModel(slug=entry.slug)
    render = created or model.description != entry.values.get("description")
    for name, value in entry.values.items():
        setattr(model, name, value)
    model.organization_id = names[Organization].get(entry.organization.lower())
    model.license_id = names[License].get(entry.license.lower())
    grades = {key: grade[0] for key, grade in entry.grades.items()}
    model.derive(grades, render=render, prices=entry.prices)
    fields = diff(before, _entry_facts(model, entry))
    plan = _Plan(model, entry, created, fields)
    plan.columns = created or any(name in WRITTEN_COLUMNS for name in fields)
    if plan.columns and not created:
        model.updated_at = now
    return plan


def _touches(plan, prefix):
    return any(name.startswith(prefix) for name in plan.fields)


def _write_rows(plans, progress):
    to_create = [plan.model for plan in plans if plan.created]
    for start in range(0, len(to_create), BATCH):
        AIModel.objects.bulk_create(to_create[start : start + BATCH])
        if progress:
            progress("Writing", min(start + BATCH, len(to_create)), len(to_create))
    to_update = [plan.model for plan in plans if plan.columns and not plan.created]
    AIModel.objects.bulk_update(to_update, [*WRITTEN_COLUMNS, "updated_at"], batch_size=BATCH)


def _ensure_named(model_class, names):
    """{lower-case name or SPDX id: pk} for `names`, creating the missing ones."""
    names = {name for name in names if name}
    known = {}
    for obj in model_class.objects.all():
        known[obj.name.lower()] = obj.pk
        if getattr(obj, "spdx_id", ""):
            known.setdefault(obj.spdx_id.lower(), obj.pk)
    for name in sorted(names):
        if name.lower() not in known:
            obj = model_class(name=name)
            if model_class is Organization:
                obj.slug = _free_slug(name)
            obj.save()
            known[name.lower()] = obj.pk
    return known


def _free_slug(name):
    base = slugify(name)[:140] or "organization"
    slug, number = base, 1
    while Organization.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _replace_grades(regrade):
    if not regrade:
        return
    OpennessGrade.objects.filter(aimodel__in=[model for model, _ in regrade]).delete()
    OpennessGrade.objects.bulk_create(
        [
            OpennessGrade(aimodel=model, dimension=key, grade=grade, link=link, notes=notes)
            for model, grades in regrade
            for key, (grade, link, notes) in grades.items()
        ],
        batch_size=BATCH,
    )


def _replace_prices(reprice):
    parts = ("unit", "amount", "condition", "as_of", "source_url")
    points = [PricePoint(aimodel=model, **dict(zip(parts, point, strict=True)))
              for model, rows in reprice for point in rows]  # fmt: skip
    if reprice:
        PricePoint.objects.filter(aimodel__in=[model for model, _ in reprice]).delete()
        PricePoint.objects.bulk_create(points, batch_size=BATCH)


def _replace_links(through, relink):
    """Link each model to exactly its modality codes (an auto-created many-to-many table)."""
    if not relink:
        return
    through.objects.filter(aimodel__in=[model for model, _ in relink]).delete()
    links = [through(aimodel=model, modality_id=code) for model, codes in relink for code in codes]
    through.objects.bulk_create(links, batch_size=BATCH)


def _replace_tags(retag):
    if not retag:
        return
    tags = {tag.name.lower(): tag for tag in Tag.objects.all()}
    for name in sorted({n for _, names in retag for n in names}, key=str.lower):
        if name.lower() not in tags:
            tags[name.lower()] = Tag.objects.create(name=name)
    TaggedModel.objects.filter(content_object__in=[model for model, _ in retag]).delete()
    TaggedModel.objects.bulk_create(
        [
            TaggedModel(content_object=model, tag=tags[name.lower()])
            for model, names in retag
            for name in names
        ],
        batch_size=BATCH,
    )


# The index's grades (import_osai) ---------------------------------------------------------

SYSTEM_FIELDS = [f.attname for f in IndexSystem._meta.concrete_fields if f.name != "id"]


def index_write(version, date, systems, entries, context, progress=None):
    """Record the index at `version` (`date`): `systems` are checked IndexSystem rows, each
    with `aimodel_slug` naming the entry graded (or ""); `entries` the Entries to create.

    The folder is the truth for the index: systems no longer in it are removed. Entries
    whose index grades or link change get their openness derived again; [Change], one per
    entry created or changed. Writing the same files again changes nothing.
    """
    with _writing(context):
        changes = entries_write(entries, context, progress) if entries else []
        release = IndexRelease.objects.filter(version=version).first()
        if release is None or release.date != date:
            release = release or IndexRelease(version=version)
            release.date = date
            release.save()
        slugs = [row.aimodel_slug for row in systems if row.aimodel_slug]
        pks = dict(AIModel.objects.filter(slug__in=slugs).values_list("slug", "pk"))
        before = {stored.file: stored for stored in IndexSystem.objects.all()}
        for row in systems:
            row.release, row.aimodel_id = release, pks.get(row.aimodel_slug)
            row.pk = before[row.file].pk if row.file in before else None
        touched = _write_systems(systems, before)
        changes += _rederive(touched)
        _finish(changes, context, bulk=True)
    return changes


def _write_systems(rows, before):
    """Write the rows that differ from `before`, remove the stored ones not in `rows`;
    {entry pk: (old index grades, old release pk)} for the entries they grade(d)."""
    files = {row.file for row in rows}
    gone = [stored for file, stored in before.items() if file not in files]
    changed = [row for row in rows if row.pk is None or _differs(row, before[row.file])]
    touched = {}
    for old in [*gone, *(before[row.file] for row in changed if row.pk)]:
        if old.aimodel_id:
            touched[old.aimodel_id] = (old.grade_map(), old.release_id)
    for row in changed:
        touched.setdefault(row.aimodel_id, ({}, None))
    touched.pop(None, None)
    IndexSystem.objects.filter(pk__in=[stored.pk for stored in gone]).delete()
    # Links move one row at a time in bulk_update: free them first (one system per entry).
    IndexSystem.objects.filter(pk__in=[row.pk for row in changed if row.pk]).update(aimodel=None)
    IndexSystem.objects.bulk_update([r for r in changed if r.pk], SYSTEM_FIELDS, batch_size=BATCH)
    IndexSystem.objects.bulk_create([r for r in changed if r.pk is None], batch_size=BATCH)
    return touched


def _differs(row, stored):
    return any(getattr(row, name) != getattr(stored, name) for name in SYSTEM_FIELDS)


def _index_facts(grades, release_id):
    """The index's part of an entry's facts, for its Change ("n/a": not applicable)."""
    found = {f"index.{key}": grade or "n/a" for key, grade in grades.items()}
    found["index.release"] = release_id
    return found


def _rederive(touched):
    """Derive the openness of the entries whose index grades changed; [Change] of each."""
    changes, written, now = [], [], timezone.now()
    for model in with_facts(AIModel.objects.filter(pk__in=list(touched))):
        before = {name: getattr(model, name) for name in DERIVED_COLUMNS}
        model.derive(render=False)
        system = model.index_system_or_none
        after = {name: getattr(model, name) for name in DERIVED_COLUMNS}
        if system is not None:
            after.update(_index_facts(system.grade_map(), system.release_id))
        fields = diff({**before, **_index_facts(*touched[model.pk])}, after)
        if fields:
            changes.append(Change(model.pk, model.slug, fields=fields))
            model.updated_at = now  # what its page shows changed
            written.append(model)
    AIModel.objects.bulk_update(written, [*DERIVED_COLUMNS, "updated_at"], batch_size=BATCH)
    return changes
