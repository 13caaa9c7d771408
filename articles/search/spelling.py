"""Readers' spelling: variants and synonyms of what they typed, and "Did you mean".

A word matches its other spellings: the lines of the editable synonym list that hold it
(`SearchSynonym`, "licence, license"), and the same word split where letters meet digits
("gpt4" is also "gpt 4", which is how "GPT-4" is indexed). When a search finds nothing, each
word that starts no word of the index is replaced by the nearest one by trigrams (the engine's
`similar_words`), and the corrected search is shown if it finds something.
"""

import re
from dataclasses import replace
from difflib import SequenceMatcher

from articles.models import SearchSynonym, SearchWord

_WORD = re.compile(r"[^\W_]+")  # as query.py reads a reader's words
_LETTERS_DIGITS = re.compile(r"[^\W\d_]+|\d+[^\W\d_]*")
MIN_WORD, MAX_WORD = 3, 40  # the words kept for suggestions
MIN_SIMILARITY = 0.7  # difflib's ratio: "licnese" → "license" is 0.86, "lama" → "llama" 0.89


def words_of(text):
    """A spelling as the tuple of words the index sees."""
    return tuple(word.lower() for word in _WORD.findall(text))


def synonym_groups():
    """Every line of the synonym list as a set of spellings (one query)."""
    lines = SearchSynonym.objects.values_list("spellings", flat=True)
    return [{words for part in line.split(",") if (words := words_of(part))} for line in lines]


def with_variants(parsed, groups=None):
    """`parsed` with each term's other spellings (`ParsedQuery.variants`)."""
    if not parsed.terms:
        return parsed
    groups = synonym_groups() if groups is None else groups
    variants = []
    for term in parsed.terms:
        found = {(term,)}
        split = tuple(_LETTERS_DIGITS.findall(term))
        if len(split) > 1:
            found.add(split)
        for group in groups:
            if (term,) in group or (len(split) > 1 and split in group):
                found |= group
        found.discard((term,))
        if found:
            variants.append((term, tuple(sorted(found))))
    return replace(parsed, variants=tuple(variants))


def remember(documents):
    """Keep the words of these documents' titles, subtitles and tags for suggestions."""
    words = set()
    for doc in documents:
        for text in (doc.title, doc.subtitle, doc.tags):
            words.update(w for w in words_of(text) if MIN_WORD <= len(w) <= MAX_WORD)
    if words:
        rows = [SearchWord(word=word) for word in sorted(words)]
        SearchWord.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)


def suggestion(parsed, engine):
    """The query with each unknown word replaced by its nearest known word; None if none."""
    changed, terms = False, []
    for term in parsed.terms:
        nearest = None
        if len(term) >= MIN_WORD and not _known(term):
            nearest = _nearest(term, engine.similar_words(term))
        terms.append(nearest or term)
        changed |= nearest is not None
    return parsed.with_terms(terms) if changed else None


def _known(term):
    return SearchWord.objects.filter(word__startswith=term).exists()


def _nearest(term, candidates):
    scored = [(SequenceMatcher(None, term, word).ratio(), word) for word in candidates]
    best = max(scored, default=(0, None), key=lambda pair: (pair[0], -len(pair[1])))
    return best[1] if best[0] >= MIN_SIMILARITY else None
