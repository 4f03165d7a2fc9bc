"""Statute browser: every law in the shared statute data, its articles, and search.

Public (citizens follow citation links from the advice answers). Texts are parsed once per process
by sifa.intelligence.qa.statutes.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from sifa.intelligence.qa.statutes import load_statutes, short_title

MAX_QUERY = 100


def law_list(request: HttpRequest) -> HttpResponse:
    index = load_statutes()
    counts: dict[str, int] = {}
    for article in index.articles:
        counts[article.law_id] = counts.get(article.law_id, 0) + 1
    laws = [
        {"id": law_id, "title": title, "articles": counts[law_id]} for law_id, title in index.laws.items()
    ]
    return render(request, "statutes/law_list.html", {"laws": laws, "title": _("法规库")})


def law_detail(request: HttpRequest, law_id: str) -> HttpResponse:
    index = load_statutes()
    if law_id not in index.laws:
        raise Http404
    page = Paginator(index.law_articles(law_id), 100).get_page(request.GET.get("page"))
    return render(
        request, "statutes/law_detail.html", {"law_id": law_id, "title": index.laws[law_id], "page_obj": page}
    )


def article_detail(request: HttpRequest, law_id: str, key: str) -> HttpResponse:
    index = load_statutes()
    article = index.get(law_id, key)
    if article is None:
        raise Http404
    articles = index.law_articles(law_id)
    at = articles.index(article)
    return render(
        request,
        "statutes/article_detail.html",
        {
            "article": article,
            "title": f"{short_title(article.law)} {article.article}",
            "previous": articles[at - 1] if at > 0 else None,
            "next": articles[at + 1] if at + 1 < len(articles) else None,
        },
    )


def search(request: HttpRequest) -> HttpResponse:
    """Words in the text (all must appear), or a question answered by the hybrid retriever."""
    query = (request.GET.get("q") or "").strip()[:MAX_QUERY]
    results = []
    if query:
        words = query.split()
        index = load_statutes()
        results = [a for a in index.articles if all(w in a.text or w in a.law for w in words)][:100]
    return render(request, "statutes/search.html", {"q": query, "results": results, "title": _("法规检索")})
