"""Each entry's search vector beside its row, not in the TOAST table (articles/search).

An article's vector is about 4 KB and does not compress (pglz gives up on it), so PostgreSQL
kept it out of line: every vector a search reads (the newest matches checked one by one, the
1,000 it ranks) was three or four more index and page reads in the TOAST table. At 100,000
articles, `?q=mixtral`: the newest matches 22 -> 12 ms, the ranking 10 -> 5 ms. STORAGE MAIN
keeps a value in the row unless the row could not fit on a page at all; the body stays out of
line. The heap grows (107 MB -> 666 MB there) and the TOAST table shrinks by as much.

The vectors already stored are rewritten once, so that they move in (a statement per table,
about 40 s for 100,000 entries). PostgreSQL only: SQLite keeps its index in FTS5.
"""

from django.db import migrations


def inline(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE articles_searchentry ALTER COLUMN search_vector SET STORAGE MAIN"
        )
        # `|| ''` makes a new value, stored by the column's new rule (an unchanged value
        # would keep its TOAST pointer).
        schema_editor.execute(
            "UPDATE articles_searchentry SET search_vector = search_vector || ''::tsvector "
            "WHERE search_vector IS NOT NULL"
        )


def out_of_line(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE articles_searchentry ALTER COLUMN search_vector SET STORAGE EXTENDED"
        )


class Migration(migrations.Migration):
    dependencies = [("articles", "0021_article_has_correction")]

    operations = [migrations.RunPython(inline, out_of_line, elidable=False)]
