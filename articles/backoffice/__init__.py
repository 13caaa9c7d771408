"""The back office: what editors and authors use, apart from the public site.

- admin/: Django's admin, one module per thing it manages;
- workflow.py: draft → in review → published, with the rights of each role; each step can
  carry the change form's fields (Edits) and write them in the same save;
- merge.py: the three-way merge of a change form against a save made since it was opened;
- revisions.py: diffs between revisions, and restoring one;
- preview.py: an unsaved or unpublished article in the real template, and share links;
- forms.py: the article form (merge and conflicts, workflow buttons), workflow inputs, image and avatar uploads;
- images/: image intake (validation, metadata stripping, renditions);
- tags.py: the shared tag vocabulary's merge and suggestions;
- roles.py: the Editors and Authors groups and their permissions.

Every article write goes through articles/writes.py.
"""
