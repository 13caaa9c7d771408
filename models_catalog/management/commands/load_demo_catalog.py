import json
from pathlib import Path

from django.core.management import BaseCommand, CommandError
from django.db import transaction

from models_catalog.models import License, Organization
from models_catalog.transfer.importer import ImportFailed, import_file

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"


class Command(BaseCommand):
    help = "Load the demo organisations, licences and models (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        for row in _read("organizations.json"):
            Organization.objects.update_or_create(
                slug=row["slug"],
                defaults={
                    "name": row["name"],
                    "homepage": row.get("homepage") or "",
                    "country": row.get("country") or "",
                },
            )
        for row in _read("licenses.json"):
            License.objects.update_or_create(
                name=row["name"],
                defaults={
                    "spdx_id": row.get("spdx_id") or "",
                    "url": row.get("url") or "",
                    "kind": row.get("kind") or "",
                    "osi_approved": bool(row.get("osi_approved")),
                    "commercial_use": row.get("commercial_use"),
                },
            )
        try:
            result = import_file(DEMO_DIR / "models.json")
        except ImportFailed as failure:
            raise CommandError("\n".join(str(e) for e in failure.errors)) from None
        self.stdout.write(f"Demo catalog loaded: {result}.")


def _read(name):
    return json.loads((DEMO_DIR / name).read_text(encoding="utf-8"))
