"""Templates, display filters, and the page route class that turns refusals into pages.

A page never shows a problem+json: ``PageRoute`` renders every ``AppError`` as an error page
with the code's rule in words (``rules.py``), a missing or expired browser session as a
redirect to the sign-in page, and an account that must first replace its password as a
redirect to the change-password form.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine, Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from pydantic import ValidationError

from app.auth import web_sessions as web_session
from app.authz.words import role_words
from app.deps import abandon_unit
from app.errors import AppError, PasswordChangeRequired, SignInRequired
from app.offers import service as offer_service
from app.web import court_choices
from app.web.rules import rule_for

if TYPE_CHECKING:
    from fastapi.templating import Jinja2Templates

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"
# Where an account that must replace the password someone else chose is sent, from any page.
FIRST_PASSWORD_PAGE = "/account/new-password"
# The ISO codes whose currency words the English speller knows (USD, EUR, GBP, CAD...).


@functools.cache
def _currency_words() -> frozenset[str]:
    from num2words import CONVERTER_CLASSES  # imported where used: start-up does not pay

    return frozenset(CONVERTER_CLASSES["en"].CURRENCY_FORMS)


# The flash notices pages may name (``?notice=``); filled in by ``app.web.router.install``.
NOTICES: dict[str, str] = {}


def court_time(value: datetime | None, tz: str = "America/New_York") -> str:
    """A time in the court's zone, with the zone named (abbreviation and IANA name)."""
    if value is None:
        return "-"
    try:
        local = value.astimezone(ZoneInfo(tz))
    except OverflowError:
        # A time stored before inputs were bounded (app/kernel/schemas.py) may have no
        # local time in the zone (9999-12-31T23:00Z in Tokyo): show it in UTC instead.
        return f"{value.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} ({tz})"


def court_date(value: date | None) -> str:
    return "-" if value is None else f"{value:%A, %B} {value.day}, {value:%Y}"


def money(cents: int | None, currency: str = "USD") -> str:
    if cents is None:
        return "-"
    return f"{currency} {cents // 100:,}.{cents % 100:02d}"


def amount_words(cents: int, currency: str = "USD") -> str:
    """An amount in words, as a check or a settlement agreement writes it, so a slip of a
    zero is seen before an offer is sent. Currencies the word list lacks get the code."""
    from num2words import num2words

    if currency in _currency_words():
        words = num2words(Decimal(cents) / 100, to="currency", lang="en", currency=currency)
    else:
        words = f"{num2words(cents // 100, lang='en')} {currency}" + (
            f" and {cents % 100:02d}/100" if cents % 100 else "")
    return words[:1].upper() + words[1:]


def filesize(size: int) -> str:
    """Bytes as people read them (1 KB = 1,024 bytes, as file managers show them)."""
    if size < 1024:
        return f"{size} byte" + ("" if size == 1 else "s")
    value = float(size)
    for unit in ("KB", "MB"):
        value /= 1024
        if value < 1024:
            return f"{value:,.1f} {unit}"
    return f"{value / 1024:,.1f} GB"


def iso(value: datetime | None) -> str:
    return "" if value is None else value.isoformat()


def roles_in_words(roles: Iterable[str]) -> str:
    return ", ".join(role_words(r) for r in roles)


@functools.cache
def templates() -> Jinja2Templates:
    """The page templates with their filters and globals, built on the first page rendered
    (jinja2 and the environment are not needed before then, so start-up does not pay)."""
    from fastapi.templating import Jinja2Templates

    built = Jinja2Templates(directory=str(TEMPLATES_DIR))
    # ``role_words`` is the one way a page names a role (tests/web/test_role_words.py).
    built.env.filters.update(court_time=court_time, court_date=court_date, money=money,
                             amount_words=amount_words, filesize=filesize, iso=iso,
                             role_words=role_words, roles_in_words=roles_in_words)
    built.env.globals["notices"] = NOTICES
    # The court pickers (_court_picker.html): closed lists, never a free-text time zone.
    # The settlement pages say what FRE 408 does and does not do, in the memorandum's words.
    built.env.globals.update(fre_408_marking=offer_service.FRE_408_MARKING,
                             fre_408_legend=offer_service.FRE_408_LEGEND)
    built.env.globals.update(court_choices=court_choices.districts,
                             division_choices=court_choices.division_groups,
                             division_value=court_choices.division_value)
    return built


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    auth = getattr(request.state, "web", None)
    context.setdefault("auth", auth)
    context.setdefault("notice", request.query_params.get("notice"))
    return templates().TemplateResponse(request, name, context, status_code=status)


def error_page(request: Request, status: int, code: str, detail: str,
               headers: dict[str, str] | None = None) -> HTMLResponse:
    response = render(request, "error.html", status=status, code=code, detail=detail,
                      http_status=status,
                      rule=rule_for(code, status), back=_back_link(request))
    for key, value in (headers or {}).items():
        if key.lower() == "retry-after":
            response.headers[key] = value
    return response


def _back_link(request: Request) -> str:
    """The page that held the form, else the case's room, else My cases. A form posted to
    its own page's address (an upload on the Documents tab) goes back there; a page that
    failed to load never links back to itself."""
    came_from = _came_from(request)
    if came_from and (request.method != "GET" or came_from != request.url.path):
        return came_from
    parts = request.url.path.split("/")
    if len(parts) >= 3 and parts[1] == "cases":
        return "/cases/" + parts[2]
    return "/"


def _fields_in_error(exc: RequestValidationError | ValidationError) -> str:
    """Field names and the expected form only: the submitted values are never echoed."""
    problems = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query")]
        msg = str(err.get("msg", "invalid"))
        if err.get("type") in ("value_error", "assertion_error"):
            msg = msg.removeprefix("Value error, ")
        problems.append(f"{' '.join(loc) or 'form'}: {msg}")
    return "Please correct the form. " + "; ".join(problems[:5])


# The page script sends forms with this header so that a refusal can be shown on the form
# itself (every field still filled in) and a success followed without a second request.
INLINE_HEADER = "x-settleroom-form"
# ... and says which page held the form: pages send no Referer (Referrer-Policy: no-referrer).
PAGE_HEADER = "x-settleroom-page"
# A form sent without the script names its page in its action's query instead (upload forms,
# whose multipart body is read only after the guards, so no hidden field could say it).
PAGE_PARAM = "from_page"


def _same_site_path(request: Request, url: str | None) -> str | None:
    """The path and query of ``url`` when it points into this site, else None."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.url.netloc:
        return None
    if not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _came_from(request: Request) -> str | None:
    """The page that held the form, as the page script, the form's action or a Referer
    says; only a path of this site is taken, so no one can be sent elsewhere."""
    return (_same_site_path(request, request.headers.get(PAGE_HEADER))
            or _same_site_path(request, request.query_params.get(PAGE_PARAM))
            or _same_site_path(request, request.headers.get("referer")))


def signin_redirect(request: Request) -> Response:
    """To the sign-in page, then back: to the page itself for a GET, to the page that held
    the form for a POST (its action has no page of its own). A browser that still sent a
    session cookie had a session that ended: the sign-in page says so."""
    if request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    else:
        target = _came_from(request) or "/"
    settings = request.app.state.settings
    expired = web_session.cookie_name(settings) in request.cookies
    url = "/signin?next=" + quote(target, safe="") + ("&expired=1" if expired else "")
    if request.headers.get(INLINE_HEADER):
        # The script keeps the form's draft in the tab, then goes to sign in.
        return Response(status_code=401, headers={"X-Sign-In": url})
    return RedirectResponse(url, status_code=303)


def _inline_answer(request: Request, response: Response) -> Response:
    """A redirect answered to the page script: 204 with the target, cookies kept."""
    if request.headers.get(INLINE_HEADER) and response.status_code in (302, 303):
        location = response.headers["location"]
        response.status_code = 204
        del response.headers["location"]
        response.headers["X-Redirect-To"] = location
    return response


def _is_multipart(request: Request) -> bool:
    return request.headers.get("content-type", "").lower().startswith("multipart/")


class PageRoute(APIRoute):
    """Also refuses a multipart body on a page that declares form fields: the framework
    would parse such a body (spooling its files) before any guard ran. Upload pages
    declare no form fields; they read their body after ``body_guard``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()
        takes_fields = self.body_field is not None

        async def handler(request: Request) -> Response:
            if takes_fields and _is_multipart(request):
                return error_page(request, 415, "unsupported_media_type",
                                  "This form takes no file; send it from its page.")
            try:
                return _inline_answer(request, await original(request))
            except SignInRequired as exc:
                abandon_unit(request, exc)
                return signin_redirect(request)
            except PasswordChangeRequired as exc:
                abandon_unit(request, exc)
                return _inline_answer(request, RedirectResponse(FIRST_PASSWORD_PAGE,
                                                                status_code=303))
            except AppError as exc:
                abandon_unit(request, exc)
                return error_page(request, exc.status, exc.code, exc.detail, exc.headers)
            except (RequestValidationError, ValidationError) as exc:
                abandon_unit(request, exc)
                return error_page(request, 422, "validation_error", _fields_in_error(exc))

        return handler


def redirect(url: str, notice: str | None = None) -> RedirectResponse:
    if notice:
        url += ("&" if "?" in url else "?") + "notice=" + quote(notice)
    return RedirectResponse(url, status_code=303)
