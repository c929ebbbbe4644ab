"""Feedback on operations that take seconds, in headless Chromium: an upload shows what it
is doing and cannot be sent twice, a success is followed like a plain submission, a refused
upload is shown on the form with every field kept, and a trace, a production and a copy say
they are working while the server works. The server's answer is held back with a route so
the feedback is observed, not raced."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Route, expect

from tests.web.browser import Person

pytestmark = pytest.mark.browser


@pytest.fixture
def counsel(browser, base_url, room, sessions):  # noqa: ANN001, ANN201
    """Plaintiff counsel in a context of its own, signed in through the form by the first
    test only (``Sessions``): what these tests check starts after signing in."""
    person = sessions.person(browser, base_url, room.users["plaintiff_counsel"].email,
                             "progress")
    yield person
    person.close()


def _hold(person: Person, pattern: str) -> list[Route]:
    held: list[Route] = []
    person.page.route(re.compile(pattern), lambda route: held.append(route))
    return held


def _until_held(person: Person, held: list[Route]) -> None:
    """Until the page's request reached the route (Playwright records it between calls),
    instead of a fixed 50 ms that a loaded machine may not be done in."""
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:
        person.page.wait_for_timeout(5)


def test_an_upload_shows_progress_and_the_answer_replaces_the_page(counsel, room, tmp_path):  # noqa: ANN001
    page = counsel.page
    page.goto(f"/cases/{room.id}/documents")
    held = _hold(counsel, r".*/documents\?csrf_token=.*")
    form = page.locator("form[data-busy]").filter(has=page.get_by_role(
        "button", name="Upload", exact=True))
    letter = tmp_path / "letter.txt"
    letter.write_text("A confidential settlement letter, uploaded with progress.\n")
    form.get_by_label(re.compile("File")).set_input_files(str(letter))
    form.get_by_role("button", name="Upload", exact=True).click()
    status = form.get_by_role("status")
    expect(status).to_contain_text(re.compile("Uploading|Sent"))
    expect(form.get_by_role("button", name="Upload", exact=True)).to_be_disabled()
    expect(form).to_have_attribute("aria-busy", "true")
    _until_held(counsel, held)
    assert held, "the upload went through the page's own request"
    for route in held:
        route.continue_()
    # The script follows the answer's redirect: a second request, which a loaded machine
    # can take longer than the default five seconds to answer and draw.
    expect(page.get_by_role("status").filter(has_text="Document uploaded")).to_be_visible(
        timeout=20_000)
    assert "notice=document_uploaded" in page.url


def test_a_refused_upload_is_shown_on_the_form_with_every_field_kept(counsel, room,  # noqa: ANN001
                                                                    tmp_path):
    page = counsel.page
    page.goto(f"/cases/{room.id}/documents")
    form = page.locator("form[data-busy]").filter(has=page.get_by_role(
        "button", name="Upload", exact=True))
    brief = tmp_path / "brief.docx"
    brief.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    form.get_by_label(re.compile("File")).set_input_files(str(brief))
    form.get_by_label("Designation").select_option("AEO")
    form.get_by_label("Only the parties checked below").check()
    chosen = form.locator("fieldset input[type=checkbox]").last
    chosen.check()
    form.get_by_role("button", name="Upload", exact=True).click()
    refusal = form.locator(".inline-error")
    expect(refusal).to_contain_text("Only PDF, UTF-8 text, PNG and JPEG documents are accepted")
    expect(refusal).to_be_focused()
    expect(page.get_by_role("heading", name="This could not be done")).to_have_count(0)
    assert page.url.endswith(f"/cases/{room.id}/documents")  # still the form's page
    expect(form.get_by_label("Designation")).to_have_value("AEO")
    expect(form.get_by_label("Only the parties checked below")).to_be_checked()
    expect(chosen).to_be_checked()
    assert form.locator("#doc-file").evaluate("el => el.files[0].name") == "brief.docx"
    expect(form.get_by_role("button", name="Upload", exact=True)).to_be_enabled()
    expect(form.locator(".busy")).to_be_hidden()
    # Chromium logs the refused request itself; that one line is the expected refusal.
    counsel.errors[:] = [e for e in counsel.errors if "status of 415" not in e]


def test_a_refused_new_version_is_shown_on_its_form(counsel, web_api, room, tmp_path):  # noqa: ANN001
    doc = web_api.document(room, b"A letter that gets a refused new version.\n",
                           filename="letter-v1.txt")
    page = counsel.page
    page.goto(f"/cases/{room.id}/documents")
    page.locator(f"#ver-{doc['id']}").locator("xpath=ancestor::details").locator(
        "summary").click()
    form = page.locator(f"form:has(#ver-{doc['id']})")
    scan = tmp_path / "scan.docx"
    scan.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    page.locator(f"#ver-{doc['id']}").set_input_files(str(scan))
    form.get_by_role("button", name=re.compile("Upload version")).click()
    expect(form.locator(".inline-error")).to_contain_text("Only PDF")
    assert page.url.endswith(f"/cases/{room.id}/documents")
    counsel.errors[:] = [e for e in counsel.errors if "status of 415" not in e]


def test_producing_and_downloading_my_copy_say_they_are_working(counsel, web_api, room):  # noqa: ANN001
    web_api.document(room, b"A document to produce, with busy feedback.\n",
                     filename="busy-production.txt")
    page = counsel.page
    page.goto(f"/cases/{room.id}/documents")
    # Download my copy: a note says the copy is being marked (it can take seconds).
    link = page.get_by_role("link", name="Download my copy of busy-production.txt")
    with page.expect_download():
        link.click()
    expect(page.get_by_role("status").filter(has_text="Marking your copy")).to_be_visible()
    # Number and produce: the form says what it does and cannot be sent twice.
    form = page.locator("form[action$='/productions']")
    form.get_by_label("busy-production.txt (CONFIDENTIAL)").check()
    form.get_by_label(re.compile("Bates prefix")).fill("BUSY")
    held = _hold(counsel, r".*/productions$")
    form.get_by_role("button", name="Number and produce").click()
    expect(form.get_by_role("status")).to_contain_text("Numbering every page")
    expect(form.get_by_role("button", name="Number and produce")).to_be_disabled()
    _until_held(counsel, held)
    assert held
    for route in held:
        route.continue_()
    expect(page.get_by_text("Production numbered")).to_be_visible()


def test_a_trace_says_it_is_working(counsel, room):  # noqa: ANN001
    page = counsel.page
    page.goto(f"/cases/{room.id}/traces")
    if not page.locator("form[data-busy]").count():
        pytest.fail("the trace form is not marked busy")
    held = _hold(counsel, r".*/traces\?csrf_token=.*")
    page.get_by_label("Or paste the leaked text").fill("Some pasted text that leaked out.")
    page.get_by_role("button", name="Trace").click()
    expect(page.get_by_role("status").filter(has_text="Tracing")).to_be_visible()
    expect(page.get_by_role("button", name="Trace")).to_be_disabled()
    _until_held(counsel, held)
    assert held
    for route in held:
        route.continue_()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name=re.compile("Trace"))).to_be_visible()


def test_the_same_file_twice_is_pointed_out_before_it_is_uploaded(counsel, web_api, room,  # noqa: ANN001
                                                                  tmp_path):
    content = b"Declaration of the custodian of records, executed in duplicate.\n"
    web_api.document(room, content)
    page = counsel.page
    page.goto(f"/cases/{room.id}/documents")
    note = page.locator("#doc-file-duplicate")
    same, other = tmp_path / "declaration copy.txt", tmp_path / "other.txt"
    same.write_bytes(content)
    other.write_bytes(b"A different letter.\n")
    page.locator("#doc-file").set_input_files(str(other))
    page.wait_for_timeout(300)  # hashing is quick; nothing is to be shown for this file
    expect(note).to_be_hidden()
    page.locator("#doc-file").set_input_files(str(same))
    expect(note).to_be_visible()
    expect(note).to_contain_text("already in the room")
    page.locator("#doc-file").set_input_files(str(other))
    expect(note).to_be_hidden()
    # Several files at once: every one is checked, not the first only.
    page.locator("#doc-file").set_input_files([str(other), str(same)])
    expect(note).to_be_visible()
    expect(note).to_contain_text("\u201cdeclaration copy.txt\u201d")
    expect(note).not_to_contain_text("other.txt")


def _uploaded_names(web_api, room) -> list[str]:  # noqa: ANN001
    rows = web_api.client.get(f"/api/v1/cases/{room.id}/documents",
                              headers=room.users["plaintiff_counsel"].headers).json()
    return sorted(r["filename"] for r in rows)


def test_several_files_upload_each_as_its_own_document(browser, base_url, web_api, tmp_path):  # noqa: ANN001
    room = web_api.room()
    person = Person(browser, base_url, room.users["plaintiff_counsel"].email, "several")
    person.sign_in()
    try:
        page = person.page
        page.goto(f"/cases/{room.id}/documents")
        files = []
        for name in ("exhibit-a.txt", "exhibit-b.txt", "exhibit-c.txt"):
            path = tmp_path / name
            path.write_text(f"{name}: a declaration for the production.\n")
            files.append(str(path))
        picker = page.locator("#doc-file")
        # The page's script makes the picker take several files once the document is parsed;
        # the notice after an upload is visible before that, on the page the upload loads.
        expect(picker).to_have_js_property("multiple", True)
        picker.set_input_files(files)
        page.get_by_role("button", name="Upload", exact=True).click()
        expect(page.get_by_role("status").filter(has_text="Documents uploaded")).to_be_visible()
        assert _uploaded_names(web_api, room) == ["exhibit-a.txt", "exhibit-b.txt",
                                                  "exhibit-c.txt"]
        # One refused file among good ones: it says why, the others are stored.
        good, bad = tmp_path / "exhibit-d.txt", tmp_path / "brief.docx"
        good.write_text("Exhibit D.\n")
        bad.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
        expect(picker).to_have_js_property("multiple", True)
        picker.set_input_files([str(bad), str(good)])
        page.get_by_role("button", name="Upload", exact=True).click()
        progress = page.get_by_role("list", name="Files being uploaded")
        expect(progress.locator("li").nth(0)).to_contain_text("not uploaded: Only PDF")
        expect(progress.locator("li").nth(1)).to_contain_text("uploaded")
        expect(progress.locator("li").nth(1)).not_to_contain_text("not uploaded")
        # A progress bar per file; the stored one reaches its end.
        bars = progress.locator("li progress")
        expect(bars).to_have_count(2)
        done = bars.nth(1)
        expect(progress.locator("li").nth(1)).to_have_class("file-done")
        assert done.evaluate("b => b.value > 0 && b.value === b.max")
        assert "exhibit-d.txt" in _uploaded_names(web_api, room)
        assert "brief.docx" not in _uploaded_names(web_api, room)
    finally:
        person.errors[:] = [e for e in person.errors if "status of 415" not in e]
        person.close()
