"""Running the site: whole-site backup and restore, the demo content, a generated site.

- backup/: one signed archive of the database content and the media files, and a restore
  that trusts nothing in it;
- demo.py: the demo publication and the demo staff accounts (`manage.py load_demo`);
- generate_site.py: a large deterministic site for benchmarks (`manage.py generate_site`).

The management commands in articles/management/commands/ are thin wrappers around these.
Articles go in through the write path (articles/writes.py), in bulk where they are many.
"""
