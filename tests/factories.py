from datetime import timedelta

import factory
from django.utils import timezone

from articles.models import Article, Author, Category
from articles.writes import article_save


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    description = "A section of the site."


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Author Number{n}")
    slug = factory.Sequence(lambda n: f"author-{n}")
    bio = "Writes about **models**."


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Article {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    dek = "A short summary of the article."
    body = "## Intro\n\nSome text about AI models.\n"
    category = factory.SubFactory(CategoryFactory)
    author = factory.SubFactory(AuthorFactory)
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Through the one write path, as the admin writes one (articles/writes.py)."""
        return article_save(model_class(*args, **kwargs))

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)


# Models catalog


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "models_catalog.Organization"
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Lab {n}")
    slug = factory.Sequence(lambda n: f"lab-{n}")


class LicenseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "models_catalog.License"
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Licence {n}")
    kind = "permissive"
    osi_approved = True
    commercial_use = True


class AIModelFactory(factory.django.DjangoModelFactory):
    """A catalog entry. `grades={"license": "open", ...}` adds openness grades."""

    class Meta:
        model = "models_catalog.AIModel"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Model {n}")
    slug = factory.Sequence(lambda n: f"model-{n}")
    organization = factory.SubFactory(OrganizationFactory)
    license = factory.SubFactory(LicenseFactory)
    kind = "language"
    weights = "open"
    release_date = factory.Sequence(lambda n: timezone.now().date() - timedelta(days=30 * n))
    release_date_precision = "day"
    parameters = 7_000_000_000
    context_window = 8192

    # Prices are dated points; a current-price column given to the factory becomes a point
    # dated the release (or today), so `AIModelFactory(price_input_per_mtok=5)` still reads.
    @factory.post_generation
    def price_points(self, create, extracted, **kwargs):
        if not create:
            return
        from models_catalog.models import PRICE_COLUMNS, PricePoint

        day = self.release_date or timezone.now().date()
        PricePoint.objects.bulk_create(
            PricePoint(aimodel=self, unit=unit, amount=getattr(self, column), as_of=day)
            for column, unit in PRICE_COLUMNS.items()
            if getattr(self, column) is not None
        )

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)

    @factory.post_generation
    def grades(self, create, extracted, **kwargs):
        if create and extracted:
            from models_catalog.models import OpennessGrade

            OpennessGrade.objects.bulk_create(
                OpennessGrade(aimodel=self, dimension=key, grade=grade)
                for key, grade in extracted.items()
            )
            self.refresh_openness()

    # Modality codes, as a list or `;`-separated: `input_modalities="text;image"`.
    @factory.post_generation
    def input_modalities(self, create, extracted, **kwargs):
        if create:
            self.input_modalities.set(_codes(extracted))

    @factory.post_generation
    def output_modalities(self, create, extracted, **kwargs):
        if create:
            self.output_modalities.set(_codes(extracted))


def _codes(value, default=("text",)):
    if value is None:
        return list(default)
    return [code for code in value.split(";") if code] if isinstance(value, str) else list(value)
