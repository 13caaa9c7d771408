"""Cards kept per object between renders (config/lib/fragments.py): `{% cards %}`."""

from django import template
from django.utils.safestring import mark_safe

from articles.public.shown import CARD_KEYS
from config.lib.dependencies import depends_on
from config.lib.fragments import Rows, kept, kept_many

register = template.Library()


@register.simple_tag(takes_context=True)
def cards(context, template_name, objects, name):
    """`{% cards "includes/article_card.html" page_obj "article" %}`: each of `objects`
    rendered by the template with the object as `name` (and nothing else of the page's
    context), each kept until something its card shows changes. One cache read for them all.

    `objects` may be a page of `Rows` (config/lib/fragments.py): then only the rows of the
    cards that must be built again are loaded. Only articles and catalog entries have cards
    (`CARD_KEYS` says what each card shows).
    """
    rows = getattr(objects, "object_list", objects)
    if not isinstance(rows, Rows):
        objects = list(rows)
        model = type(objects[0]) if objects else None
        rows = Rows([obj.pk for obj in objects], model._default_manager.all()) if model else None
        loaded = {obj.pk: obj for obj in objects}
    else:
        loaded = {}
    if not rows:
        return ""
    card = context.template.engine.get_template(template_name)
    keys_of, halves = CARD_KEYS[rows.label]

    def build(i):
        obj = loaded.get(rows.ids[i])
        if obj is None:  # gone since its id was read: nothing, kept until the next write
            return ""
        html = card.render(template.Context({name: obj}, autoescape=context.autoescape))
        depends_on(*keys_of(obj))  # tag names shown say so themselves (includes/tag_links.html)
        return str(html)

    def prepare(indexes):
        wanted = [rows.ids[i] for i in indexes if rows.ids[i] not in loaded]
        if wanted:
            loaded.update(rows.load(wanted))

    names = [f"card:{template_name}:{rows.label}:{pk}" for pk in rows.ids]
    return mark_safe("".join(kept_many(names, build, halves=halves, prepare=prepare)))


@register.tag("kept")
def do_kept(parser, token):
    """`{% kept "main" article.pk keys=article_keys %}…{% endkept %}`: the part, kept between renders
    until something it showed changes (config/lib/fragments.py), on pages whose view opts in
    with `keep_fragments` (the halves its parts belong to) in the context. Elsewhere (a
    preview, an ?as_of page) the part renders every time. The part must not show anything of
    the request but its origin (scheme and host, part of the name). What it shows is what the
    values read inside it say (`Shown`, `{% shown_tags %}`) and the list `keys`."""
    bits = token.split_contents()[1:]
    keys = [bit for bit in bits if bit.startswith("keys=")]
    bits = [bit for bit in bits if not bit.startswith("keys=")]
    if not bits or len(keys) > 1:
        raise template.TemplateSyntaxError("{% kept %} takes a name, then keys=… at most once.")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    keys = parser.compile_filter(keys[0].removeprefix("keys=")) if keys else None
    return KeptNode(nodelist, [parser.compile_filter(bit) for bit in bits], keys)


class KeptNode(template.Node):
    def __init__(self, nodelist, parts, keys):
        self.nodelist = nodelist
        self.parts = parts
        self.keys = keys  # what the part shows that nothing read inside it says

    def render(self, context):
        halves = context.get("keep_fragments")
        if not halves:
            return self.nodelist.render(context)
        request = context.get("request")
        origin = request.build_absolute_uri("/") if request is not None else ""
        name = ":".join(
            ["kept", origin, context.template_name, *(str(p.resolve(context)) for p in self.parts)]
        )
        return mark_safe(kept(name, lambda: self._build(context), halves=halves))

    def _build(self, context):
        html = str(self.nodelist.render(context))
        if self.keys is not None:
            depends_on(*self.keys.resolve(context))
        return html
