"""Write the demo's index files from index-facts.csv, in the index's own YAML format.

    .venv/bin/python models_catalog/demo/osai/generate.py ../shared/osai/index-facts.csv

Run once (by hand) when the facts are refreshed; load_demo reads the files it writes, through
the same import as `manage.py import_osai`. The CSV leaves the index's notes out, so the
files have empty notes. Facts: the European Open Source AI Index, CC-BY 4.0 (README.md here).
"""

import ast
import csv
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SYSTEM = ["name", "link", "type", "performanceclass", "basemodelname", "endmodelname",
          "endmodellicense", "releasedate"]  # fmt: skip
DIMENSIONS = [
    "datasources_basemodel", "datasources_endmodel", "weights_basemodel", "weights_endmodel",
    "trainingcode", "code", "hardware_architecture", "preprint", "paper", "modelcard",
    "datasheet", "licenses",
]  # fmt: skip
HEADER = (
    "# From the European Open Source AI Index (https://osai-index.eu/), CC-BY 4.0,\n"
    "# doi:10.5281/zenodo.15386042; written by generate.py from index-facts.csv\n"
    "# (index commit 5a388e871b88735e7ab7e6fb230b76c9d460d99a, 2026-06-12), notes left out.\n"
)


def system_file(row):
    """The index's mapping for one CSV row."""
    data = {"system": {key: row[f"system.{key}"] for key in SYSTEM}}
    data["system"]["notes"] = ""
    link = row["org.link"]  # several organisations: the CSV holds a Python list's repr
    link = ast.literal_eval(link) if link.startswith("[") else link
    data["org"] = {"name": row["org.name"], "link": link, "notes": ""}
    for key in DIMENSIONS:
        links = row[f"{key}.link"].split()
        link = links if len(links) > 1 else (links[0] if links else "")
        data[key] = {"class": row[f"{key}.class"], "link": link, "notes": ""}
    return data


def main(csv_path):
    for old in HERE.glob("*.yaml"):
        old.unlink()
    with open(csv_path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        text = yaml.safe_dump(system_file(row), sort_keys=False, allow_unicode=True, width=100)
        (HERE / row["file"]).write_text(HEADER + text, encoding="utf-8")
    print(f"{len(rows)} files written to {HERE}")


if __name__ == "__main__":
    main(sys.argv[1])
