"""What an article page or list shows, said to the page cache (config/lib/dependencies.py).

Keys: `article:<id>` for each article shown (its card or link), with the `category:<id>`,
`author:<id>` and `tag:<id>` whose names its card shows; `model:<id>` for catalog entries
shown. The views add the list keys of what they list (articles/announce.py says when each
changes) with `depends_on`, which makes the record theirs; these helpers alone do not (a page
whose view declares nothing keeps depending on its whole halves).
"""

from config.lib.dependencies import also_depends_on


def article_keys(article):
    """The keys of an article's card or link: it, and the category, author and (prefetched)
    tags whose names it shows. Reads only what is loaded: no query."""
    keys = [f"article:{article.pk}"]
    fields = article.__dict__
    if fields.get("category_id") is not None:
        keys.append(f"category:{fields['category_id']}")
    if fields.get("author_id") is not None:
        keys.append(f"author:{fields['author_id']}")
    prefetched = getattr(article, "_prefetched_objects_cache", {})
    if "tags" in prefetched:
        keys.extend(f"tag:{tag.pk}" for tag in prefetched["tags"])
    return keys


def model_keys(model):
    """The keys of a catalog entry's card: it, and the (prefetched) tags whose names it shows."""
    prefetched = getattr(model, "_prefetched_objects_cache", {})
    return [f"model:{model.pk}", *(f"tag:{tag.pk}" for tag in prefetched.get("tags", ()))]


# For cards kept per object (articles/templatetags/fragments.py): keys, and the halves whose
# unknown-reach writes (an image, a licence, a restore) change them too.
CARD_KEYS = {
    "articles.Article": (article_keys, ("articles",)),
    "models_catalog.AIModel": (model_keys, ("catalog",)),
}


def shows_articles(articles):
    """Cards or links of `articles` (rows already loaded; no query is made here)."""
    for article in articles:
        if article is not None:
            also_depends_on(*article_keys(article))


def shows_models(models):
    also_depends_on(*(f"model:{model.pk}" for model in models))


def shows_tags(tags, listed=False):
    """The names of `tags`; with `listed`, what carries them too (related lists)."""
    for tag in tags:
        also_depends_on(f"tag:{tag.pk}")
        if listed:
            also_depends_on(f"tagged:{tag.pk}")
