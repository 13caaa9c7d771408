"""How catalog entries appear in site search (config/lib/indexing.py stores them)."""

from datetime import UTC, datetime, time

from config.lib import indexing
from config.lib.indexing import Document, plain, text_of
from models_catalog.announce import KIND as MODEL
from models_catalog.models import AIModel


def aimodel_documents(pks):
    """Documents for the entries among `pks` (every catalog entry is searchable)."""
    models = (
        AIModel.objects.filter(pk__in=pks)
        .select_related("organization")
        .prefetch_related("tags")
        .defer("description")
        .order_by("pk")
    )
    return [_document(model) for model in models]


def _document(model):
    organization = model.organization.name if model.organization_id else ""
    release = model.release_date
    tag_names = " ".join(sorted(tag.name for tag in model.tags.all()))
    return Document(
        kind=MODEL,
        object_id=model.pk,
        slug=model.slug,
        title=plain(model.name),
        subtitle=plain(" — ".join(part for part in (organization, model.summary) if part)),
        tags=plain(" ".join([tag_names, model.family])),
        body=text_of(model.description_html),
        label=model.get_kind_display(),
        date=datetime.combine(release, time(), tzinfo=UTC) if release else None,
    )


def _all_ids():
    return AIModel.objects.order_by("pk").values_list("pk", flat=True).iterator()


def register():
    indexing.register_kind(MODEL, documents=aimodel_documents, all_ids=_all_ids)
