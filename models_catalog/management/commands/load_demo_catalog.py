import json
from pathlib import Path

from django.core.management import BaseCommand, CommandError
from django.db import transaction

from models_catalog import writes
from models_catalog.changes import WriteContext
from models_catalog.models import License, Organization
from models_catalog.transfer.importer import ImportFailed, import_file

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
DEMO = WriteContext(source="demo")


class Command(BaseCommand):
    help = "Load the demo organisations, licences and models (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        for row in _read("organizations.json"):
            organization = Organization.objects.filter(slug=row["slug"]).first()
            _sync(
                organization or Organization(slug=row["slug"]),
                writes.organization_save,
                {
                    "name": row["name"],
                    "homepage": row.get("homepage") or "",
                    "country": row.get("country") or "",
                },
            )
        for row in _read("licenses.json"):
            license = License.objects.filter(name=row["name"]).first()
            _sync(
                license or License(name=row["name"]),
                writes.license_save,
                {
                    "spdx_id": row.get("spdx_id") or "",
                    "url": row.get("url") or "",
                    "kind": row.get("kind") or "",
                    "osi_approved": bool(row.get("osi_approved")),
                    "commercial_use": row.get("commercial_use"),
                },
            )
        try:
            result = import_file(DEMO_DIR / "models.json", context=DEMO)
        except ImportFailed as failure:
            raise CommandError("\n".join(str(e) for e in failure.errors)) from None
        self.stdout.write(f"Demo catalog loaded: {result}.")


def _sync(obj, save, values):
    """Save `obj` with `values` through the write path, if anything differs."""
    if obj.pk and all(getattr(obj, name) == value for name, value in values.items()):
        return
    for name, value in values.items():
        setattr(obj, name, value)
    save(obj, DEMO)


def _read(name):
    return json.loads((DEMO_DIR / name).read_text(encoding="utf-8"))
