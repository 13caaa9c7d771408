import datetime
import json
import time
from pathlib import Path

from django.core.management import BaseCommand, CommandError
from django.db import transaction

from models_catalog import writes
from models_catalog.announce import announcing
from models_catalog.changes import WriteContext
from models_catalog.models import License, Organization
from models_catalog.transfer.importer import ImportFailed, import_file
from models_catalog.transfer.osai import import_index

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
DEMO = WriteContext(source="demo")
# The index commit demo/osai/ was generated from (its README says how).
INDEX_VERSION = "5a388e871b88735e7ab7e6fb230b76c9d460d99a", datetime.date(2026, 6, 12)


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
        started = time.perf_counter()
        try:
            with announcing():  # the entries and the index's grades, announced once
                result = import_file(DEMO_DIR / "models.json", context=DEMO)
                version, date = INDEX_VERSION
                index = import_index(DEMO_DIR / "osai", DEMO, version=version, date=date)
        except ImportFailed as failure:
            raise CommandError("\n".join(str(e) for e in failure.errors)) from None
        seconds = time.perf_counter() - started
        self.stdout.write(f"Demo catalog loaded: {result}; {index} ({seconds:.1f} s).")


def _sync(obj, save, values):
    """Save `obj` with `values` through the write path, if anything differs."""
    if obj.pk and all(getattr(obj, name) == value for name, value in values.items()):
        return
    for name, value in values.items():
        setattr(obj, name, value)
    save(obj, DEMO)


def _read(name):
    return json.loads((DEMO_DIR / name).read_text(encoding="utf-8"))
