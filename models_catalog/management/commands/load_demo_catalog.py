import datetime
import json
import time
from pathlib import Path

from django.core.management import BaseCommand, CommandError
from django.db import transaction

from models_catalog import writes
from models_catalog.announce import announcing
from models_catalog.changes import WriteContext
from models_catalog.models import AIModel, License, Organization
from models_catalog.transfer.importer import ImportFailed, import_file, import_rows
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
            # Announced once. A new entry with a history is first written as it stood
            # then, so the change to today's facts is recorded like any other (issue 15).
            with announcing():
                earlier = _earlier(_read("models.json"))
                if earlier:
                    import_rows(earlier, context=DEMO)
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


def _earlier(rows):
    """[(where, row)] for the new entries of history.json, as they stood on its date: its
    facts and sources over today's, only the price points in force then."""
    stored = set(AIModel.objects.values_list("slug", flat=True))
    today = {row["slug"]: row for row in rows}
    earlier = []
    for number, past in enumerate(_read("history.json"), start=1):
        if past["slug"] in stored:
            continue
        row = {**today[past["slug"]], **past.get("facts", {})}
        row["sources"] = {**(row.get("sources") or {}), **past.get("sources", {})}
        row["prices"] = [p for p in row.get("prices") or [] if p["as_of"] <= past["as_of"]]
        row.update(price_input_per_mtok=None, price_output_per_mtok=None)
        earlier.append((f"history.json item {number}", row))
    return earlier


def _read(name):
    return json.loads((DEMO_DIR / name).read_text(encoding="utf-8"))
