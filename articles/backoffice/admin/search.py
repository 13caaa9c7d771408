"""The back office for search: the synonym list editors keep (articles/search/spelling.py)."""

from django import forms
from django.contrib import admin

from articles.models import SearchSynonym
from articles.search.spelling import words_of


class SearchSynonymForm(forms.ModelForm):
    class Meta:
        model = SearchSynonym
        fields = ["spellings"]

    def clean_spellings(self):
        parts = [part.strip() for part in self.cleaned_data["spellings"].split(",")]
        spellings = [part for part in parts if words_of(part)]
        if len({words_of(part) for part in spellings}) < 2:
            raise forms.ValidationError(
                "Give at least two different spellings, separated by commas "
                "(letters or digits in each): licence, license."
            )
        return ", ".join(dict.fromkeys(spellings))


@admin.register(SearchSynonym)
class SearchSynonymAdmin(admin.ModelAdmin):
    form = SearchSynonymForm
    list_display = ["spellings"]
    search_fields = ["spellings"]
