"""Checksums and a signature in the manifest, so that a changed archive is noticed.

`backup` lists the SHA-256 of data.json and of every media file in manifest.json, then signs
the manifest with an HMAC-SHA256 keyed by the site's DJANGO_SECRET_KEY (through Django's
`salted_hmac`, with a salt of its own). `restore` recomputes every checksum while unpacking
and checks the signature against SECRET_KEY and each of SECRET_KEY_FALLBACKS.

What a valid signature proves: the archive was written by a site holding this secret key and
not one byte of data.json, of the media files or of the manifest changed since; no entry was
added or removed. An added superuser, an edited row, a swapped image are all detected.

What it cannot prove: that the site was sound when the backup was made (an intruder's
account present then is in the archive, signed); that this is the newest backup (an older
genuine archive verifies too); anything at all to someone who has the secret key, who can
sign whatever they like. It keeps nothing secret: password hashes are readable in the
archive, so store archives as you would the database. A site with another secret key cannot
verify the archive: restore it there with --allow-unverified, or give that site the key.
"""

import json

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "articles.backup.manifest"  # in every signed archive: never change it
ALGORITHM = "hmac-sha256"


def _canonical(manifest):
    body = {key: value for key, value in manifest.items() if key != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _mac(manifest, secret):
    return salted_hmac(SALT, _canonical(manifest), secret=secret, algorithm="sha256").hexdigest()


def sign(manifest):
    """`manifest` with its signature (made with the current DJANGO_SECRET_KEY)."""
    return {**manifest, "signature": {ALGORITHM: _mac(manifest, settings.SECRET_KEY)}}


def signature_problems(manifest):
    """[] when the manifest is signed by this site's key (or a fallback), else why not."""
    signature = manifest.get("signature")
    given = signature.get(ALGORITHM) if isinstance(signature, dict) else None
    if not isinstance(given, str):
        return ["The archive is not signed (made before backups were signed, or altered)."]
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if any(constant_time_compare(_mac(manifest, secret), given) for secret in secrets):
        return []
    return [
        "The archive's signature does not match: it was changed after the backup, or it was "
        "made by a site with another DJANGO_SECRET_KEY."
    ]


def checksum_problems(manifest, digests):
    """Members whose SHA-256 differs from the manifest's, or that only one of them lists."""
    listed = manifest.get("sha256")
    if not isinstance(listed, dict):
        return ["The manifest lists no checksums."]
    problems = []
    for name in sorted(set(listed) | set(digests)):
        if name not in digests:
            problems.append(f"{name} is listed in the manifest but missing from the archive.")
        elif name not in listed:
            problems.append(f"{name} is in the archive but not in the manifest.")
        elif not constant_time_compare(str(listed[name]), digests[name]):
            problems.append(f"{name} differs from its checksum in the manifest.")
    return problems
