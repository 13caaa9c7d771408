"""One render per page at a time (config/lib/cache.py `_serve`): readers who miss a page that
another request is rendering wait for its entry instead of rendering it again, and are never
given an entry a write has made stale."""

import threading
import time

import pytest
from django.core.cache import caches
from django.http import HttpResponse
from django.test import RequestFactory

from config.lib import cache, dependencies, render_once
from config.lib.cache_keys import PageSpec

SPEC = PageSpec(("catalog",))  # no due moments to work out: no database in these threads


@pytest.fixture(autouse=True)
def _empty_caches():
    for name in ("default", "generations"):
        caches[name].clear()
    render_once.forget()
    yield
    for name in ("default", "generations"):
        caches[name].clear()
    render_once.forget()


def serve_together(key, respond, readers=6):
    """`readers` requests for the page `key` at once; their responses, in no order."""
    responses, start = [], threading.Barrier(readers)

    def read():
        start.wait()
        request = RequestFactory().get("/a-page/")
        responses.append(cache._serve(request, SPEC, key, respond))

    threads = [threading.Thread(target=read) for _ in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return responses


def slow_page(renders, body=b"the page", before=None):
    def respond():
        renders.append(1)
        if before:
            before()
        time.sleep(0.3)
        dependencies.depends_on("model:1")
        return HttpResponse(body)

    return respond


def test_readers_who_miss_together_wait_for_one_render():
    renders = []
    responses = serve_together("page:together", slow_page(renders))
    assert len(renders) == 1
    assert sorted(r["X-Cache"] for r in responses) == ["hit"] * 5 + ["miss"]
    assert {r.content for r in responses} == {b"the page"}
    assert caches["default"].get("page:together:rendering") is None  # the claim is over


def test_after_a_write_the_waiters_get_the_new_page_not_the_old_one():
    renders = []
    serve_together("page:written", slow_page(renders, b"before"), readers=1)
    dependencies.invalidate(["model:1"], ("catalog",))
    responses = serve_together("page:written", slow_page(renders, b"after"))
    assert len(renders) == 2
    assert {r.content for r in responses} == {b"after"}


def test_a_render_a_write_overtook_passes_the_claim_to_the_next_reader(monkeypatch):
    """A write lands while the page renders: that render is not kept, and the next waiter
    claims the page and renders it once more for everyone (never the page built across the
    write), without waiting RENDER_WAIT out."""
    monkeypatch.setattr(render_once, "RENDER_WAIT", 20.0)
    renders, landed = [], []

    def write_once():
        if not landed:
            landed.append(1)
            dependencies.invalidate(["model:1"], ("catalog",))

    started = time.monotonic()
    responses = serve_together("page:across", slow_page(renders, before=write_once), readers=4)
    assert time.monotonic() - started < 5  # not the 20 s wait
    assert len(renders) == 2
    assert sorted(r["X-Cache"] for r in responses) == ["hit", "hit", "miss", "miss"]
    assert caches["default"].get("page:across") is not None


def test_pages_this_cache_does_not_keep_are_rendered_side_by_side(monkeypatch):
    """No search results, an error: nothing will be stored, so the waiters do not queue
    behind one another; they render the page at once, as does whoever asks next."""
    monkeypatch.setattr(render_once, "RENDER_WAIT", 20.0)
    renders = []

    def not_found():
        renders.append(1)
        time.sleep(0.5)
        return HttpResponse("gone", status=404)

    started = time.monotonic()
    responses = serve_together("page:gone", not_found, readers=4)
    assert time.monotonic() - started < 1.6  # 0.5 s, then side by side: not 4 x 0.5 s in turn
    assert len(renders) == 4 and {r.status_code for r in responses} == {404}
    assert caches["default"].get("page:gone:rendering") is None  # no entry for it at all


def test_a_claim_left_behind_is_waited_out_then_the_page_is_rendered(monkeypatch):
    """A process that died while rendering leaves its claim until it lapses: readers wait
    RENDER_WAIT at most, then render the page themselves."""
    monkeypatch.setattr(render_once, "RENDER_WAIT", 0.2)
    caches["default"].add("page:orphan:rendering", 1, 60)
    renders = []
    started = time.monotonic()
    responses = serve_together("page:orphan", slow_page(renders), readers=1)
    assert 0.2 <= time.monotonic() - started < 3
    assert [r["X-Cache"] for r in responses] == ["miss"] and len(renders) == 1
    # The claim was not this reader's: it is left to lapse, not deleted by someone else.
    assert caches["default"].get("page:orphan:rendering") == 1


def test_a_render_that_fails_does_not_make_the_others_queue_behind_it(monkeypatch):
    """An error (a 500) is not kept: the waiters render the page at once, side by side,
    rather than each claiming it in turn after the one before has failed."""
    monkeypatch.setattr(render_once, "RENDER_WAIT", 20.0)
    renders, failures = [], []

    def broken():
        renders.append(1)
        time.sleep(0.5)
        raise RuntimeError("the page is broken")

    def read():
        try:
            cache._serve(RequestFactory().get("/a-page/"), SPEC, "page:broken", broken)
        except RuntimeError:
            failures.append(1)

    started = time.monotonic()
    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(renders) == len(failures) == 4
    assert time.monotonic() - started < 1.6  # 0.5 s, then side by side: not 4 x 0.5 s
