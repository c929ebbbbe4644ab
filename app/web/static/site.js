// settleroom pages: dialogs, deadline countdowns and progress on slow operations.
// Hand-written; no dependencies. Every page works without it; it only adds feedback.
(function () {
  "use strict";

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  function formatLeft(ms) {
    var s = Math.floor(ms / 1000);
    var d = Math.floor(s / 86400); s -= d * 86400;
    var h = Math.floor(s / 3600); s -= h * 3600;
    var m = Math.floor(s / 60); s -= m * 60;
    var parts = [];
    if (d) { parts.push(plural(d, "day")); }
    parts.push(plural(h, "hour"), plural(m, "minute"));
    if (!d) { parts.push(plural(s, "second")); }
    return parts.join(", ") + " left";
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var end = Date.parse(el.getAttribute("data-deadline"));
      if (isNaN(end)) { return; }
      var left = end - now;
      if (left <= 0) {
        el.textContent = "Deadline passed";
        el.classList.add("passed");
      } else {
        el.textContent = formatLeft(left);
      }
    });
  }

  // Confirmation dialogs open through the button's own command="show-modal" commandfor="..."
  // and close through a formmethod="dialog" Cancel, so a click works the moment the button is
  // drawn, before this script has run. Only a browser without invoker commands needs the
  // click wired here.
  function wireDialogs() {
    if ("commandForElement" in HTMLButtonElement.prototype) { return; }
    document.querySelectorAll("button[command='show-modal'][commandfor]").forEach(function (btn) {
      var dialog = document.getElementById(btn.getAttribute("commandfor"));
      if (!dialog || typeof dialog.showModal !== "function") { return; }
      btn.addEventListener("click", function () { dialog.showModal(); });
    });
  }

  // A form marked data-busy says what it is doing while the server works (uploads, traces,
  // verification can take seconds) and cannot be sent twice. An upload goes through
  // XMLHttpRequest so that a progress bar can show how much of the file has been sent; the
  // server's answer then replaces the page as a normal submission would.
  function busyStatus(form) {
    var status = form.querySelector(".busy");
    if (!status) {
      status = document.createElement("p");
      status.className = "busy";
      status.setAttribute("role", "status");
      status.appendChild(document.createElement("span"));
      status.appendChild(document.createElement("progress"));
      form.appendChild(status);
    }
    status.hidden = false;
    status.firstChild.textContent = form.getAttribute("data-busy");
    return status;
  }

  function setBusy(form, busy) {
    form.querySelectorAll("button").forEach(function (b) { b.disabled = busy; });
    form.setAttribute("aria-busy", busy ? "true" : "false");
  }

  // A redirect (the usual answer to a form) is followed as a page load; any other answer (a
  // result page, a refusal) is shown as it came.
  function showAnswer(form, xhr) {
    if (xhr.status < 400 && xhr.responseURL && xhr.responseURL !== form.action) {
      window.location.assign(xhr.responseURL);
      return;
    }
    document.open();
    document.write(xhr.responseText);
    document.close();
  }

  // An upload is sent as an inline form too (see sendInline below): a refusal appears on
  // the form with every field kept (the chosen file included), a success is followed.
  function markInline(xhr) {
    xhr.setRequestHeader("X-Settleroom-Form", "1");
    xhr.setRequestHeader("X-Settleroom-Page", window.location.pathname + window.location.search);
  }

  function uploadAnswered(form, status, xhr) {
    var target = xhr.getResponseHeader("X-Redirect-To");
    if (xhr.status === 204 && target) { window.location.assign(target); return; }
    var signIn = xhr.getResponseHeader("X-Sign-In");
    if (xhr.status === 401 && signIn) { keepDraft(form); window.location.assign(signIn); return; }
    if (xhr.status >= 400 && showInlineError(form, xhr.responseText)) {
      status.hidden = true;
      setBusy(form, false);
      return;
    }
    showAnswer(form, xhr);
  }

  function sendWithProgress(form, status) {
    var bar = status.querySelector("progress");
    var label = status.firstChild;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    markInline(xhr);
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) { return; }
      bar.max = e.total;
      bar.value = e.loaded;
      label.textContent = form.getAttribute("data-busy") + " "
        + Math.round(100 * e.loaded / e.total) + " % sent";
      if (e.loaded === e.total) { label.textContent = "Sent. The server is preparing it…"; }
    });
    xhr.addEventListener("load", function () { uploadAnswered(form, status, xhr); });
    xhr.addEventListener("error", function () {
      label.textContent = "The connection failed before the server answered. Nothing was "
        + "changed by this attempt: try again.";
      bar.hidden = true;
      setBusy(form, false);
    });
    xhr.send(new FormData(form));
  }

  // Several files at once (a form marked data-multi-upload, with the script only): each
  // file is sent on its own, as its own document with the form's designation and audience,
  // with a progress bar per file; a refused file says why and the others go on.
  function errorText(html) {
    var box = new DOMParser().parseFromString(html, "text/html").querySelector(".error-box");
    return box ? box.textContent.trim().replace(/\s+/g, " ") : "refused by the server";
  }

  function sendOneFile(form, fields, file, row) {
    return new Promise(function (resolve) {
      var data = new FormData();
      fields.forEach(function (pair) { data.append(pair[0], pair[1]); });
      data.append("file", file, file.name);
      var xhr = new XMLHttpRequest();
      var bar = row.querySelector("progress");
      var state = row.querySelector(".file-state");
      xhr.open("POST", form.action);
      markInline(xhr);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { bar.max = e.total; bar.value = e.loaded; }
      });
      xhr.addEventListener("load", function () {
        var ok = xhr.status < 400;
        if (ok) { bar.max = bar.max || 1; bar.value = bar.max; }
        state.textContent = ok ? "uploaded" : "not uploaded: " + errorText(xhr.responseText);
        row.className = ok ? "file-done" : "file-failed";
        resolve(ok);
      });
      xhr.addEventListener("error", function () {
        state.textContent = "not uploaded: the connection failed";
        row.className = "file-failed";
        resolve(false);
      });
      xhr.send(data);
    });
  }

  function sendSeveral(form, input, files) {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== input.name) { fields.push([name, value]); }
    });
    var list = document.createElement("ul");
    list.className = "file-progress";
    list.setAttribute("aria-label", "Files being uploaded");
    var rows = Array.prototype.map.call(files, function (file) {
      var row = document.createElement("li");
      var name = document.createElement("span");
      name.textContent = file.name + " ";
      var state = document.createElement("span");
      state.className = "file-state";
      state.setAttribute("role", "status");
      state.textContent = "waiting";
      row.appendChild(name);
      row.appendChild(document.createElement("progress"));
      row.appendChild(state);
      list.appendChild(row);
      return row;
    });
    form.appendChild(list);
    setBusy(form, true);
    var results = [];
    var chain = Promise.resolve();
    Array.prototype.forEach.call(files, function (file, i) {
      chain = chain.then(function () {
        rows[i].querySelector(".file-state").textContent = "sending";
        return sendOneFile(form, fields, file, rows[i]).then(function (ok) { results.push(ok); });
      });
    });
    chain.then(function () {
      if (results.every(Boolean)) {
        var page = new URL(form.action, window.location.href).pathname;
        window.location.assign(page + "?notice=documents_uploaded");
        return;
      }
      setBusy(form, false);
    });
  }

  function wireBusyForms() {
    document.querySelectorAll("form[data-multi-upload] input[type=file]").forEach(function (input) {
      if (window.FormData && window.Promise) { input.multiple = true; }
    });
    document.querySelectorAll("form[data-busy]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        var status = busyStatus(form);
        var upload = form.enctype === "multipart/form-data" && form.querySelector("input[type=file]");
        if (upload && form.hasAttribute("data-multi-upload") && upload.files.length > 1) {
          event.preventDefault();
          status.hidden = true;
          sendSeveral(form, upload, upload.files);
          return;
        }
        if (upload && window.FormData) {
          event.preventDefault();
          setBusy(form, true);
          sendWithProgress(form, status);
          return;
        }
        // A GET form answers with a download (the filing package): the page stays, so its
        // buttons stay usable; the note says what is being prepared.
        if (form.method.toLowerCase() === "get") { return; }
        // A plain submission: disable after this event, so the form data is already taken.
        window.setTimeout(function () { setBusy(form, true); }, 0);
      });
    });
    document.querySelectorAll("a[data-busy]").forEach(function (link) {
      link.addEventListener("click", function () {
        var note = link.nextElementSibling;
        if (!note || !note.classList.contains("busy")) {
          note = document.createElement("span");
          note.className = "busy hint";
          note.setAttribute("role", "status");
          link.parentNode.insertBefore(note, link.nextSibling);
        }
        note.textContent = " " + link.getAttribute("data-busy");
      });
    });
  }

  // Forms are sent by the script so that nothing typed is lost: a refusal appears on the
  // form itself with every field still filled in; an ended session keeps the draft in this
  // tab (sessionStorage: never sent anywhere, gone when the tab closes) and fills it in
  // again after signing in. The server marks its answers for this (app/web/render.py).
  var DRAFT_KEY = "settleroom.draft";

  function draftFields(form) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || el.type === "hidden" || el.type === "file"
          || el.type === "password" || el.type === "submit") { return; }
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) { return; }
      fields[el.name] = el.value;
    });
    return fields;
  }

  // A form is known by its action and its hidden fields (the CSRF token aside): the ENE
  // page has one message form per channel, all posting to one address, and a caucus draft
  // must come back into its caucus form, never into the joint channel's.
  function formKey(form) {
    var hidden = Array.prototype.filter.call(form.elements, function (el) {
      return el.type === "hidden" && el.name && el.name !== "csrf_token";
    }).map(function (el) { return el.name + "=" + el.value; });
    return [new URL(form.action, window.location.href).pathname].concat(hidden).join("&");
  }

  function keepDraft(form) {
    try {
      window.sessionStorage.setItem(DRAFT_KEY, JSON.stringify({
        page: window.location.pathname, form: formKey(form), fields: draftFields(form)}));
    } catch (e) { /* storage full or off: the sign-in still goes on */ }
  }

  function restoreDraft() {
    var saved;
    try { saved = JSON.parse(window.sessionStorage.getItem(DRAFT_KEY) || "null"); }
    catch (e) { saved = null; }
    if (!saved || saved.page !== window.location.pathname) { return; }
    window.sessionStorage.removeItem(DRAFT_KEY);
    var form = Array.prototype.find.call(document.querySelectorAll("form[method=post]"),
      function (f) { return formKey(f) === saved.form; });
    if (!form) { return; }
    Object.keys(saved.fields).forEach(function (name) {
      var el = form.elements[name];
      if (!el) { return; }
      if (el.type === "checkbox") { el.checked = true; } else { el.value = saved.fields[name]; }
    });
    var details = form.closest("details");
    if (details) { details.open = true; }
    var note = document.createElement("p");
    note.className = "notice";
    note.setAttribute("role", "status");
    note.textContent = "Your draft was kept while you signed in again. Check it, then send it.";
    form.insertBefore(note, form.firstChild);
  }

  function showInlineError(form, html) {
    var box = new DOMParser().parseFromString(html, "text/html").querySelector(".error-box");
    if (!box) { return false; }
    var old = form.querySelector(".inline-error");
    if (old) { old.remove(); }
    box.classList.add("inline-error");
    box.setAttribute("tabindex", "-1");
    form.insertBefore(document.importNode(box, true), form.firstChild);
    form.querySelector(".inline-error").focus();
    return true;
  }

  // A busy note (data-busy, above) ends with the answer shown on the form.
  function quietBusy(form) {
    var status = form.querySelector(".busy");
    if (status) { status.hidden = true; }
  }

  function sendInline(form, submitter) {
    var body = new URLSearchParams(new FormData(form, submitter));
    setBusy(form, true);
    window.fetch(form.action, {method: "POST", body: body, credentials: "same-origin",
                               headers: {"X-Settleroom-Form": "1",
                                         "X-Settleroom-Page": window.location.pathname
                                           + window.location.search}})
      .then(function (response) {
        if (response.status === 204 && response.headers.get("X-Redirect-To")) {
          window.location.assign(response.headers.get("X-Redirect-To"));
          return null;
        }
        if (response.status === 401 && response.headers.get("X-Sign-In")) {
          keepDraft(form);
          window.location.assign(response.headers.get("X-Sign-In"));
          return null;
        }
        return response.text().then(function (html) {
          setBusy(form, false);
          quietBusy(form);
          if (response.status >= 400 && showInlineError(form, html)) { return; }
          document.open();
          document.write(html);
          document.close();
        });
      })
      .catch(function () {
        setBusy(form, false);
        quietBusy(form);
        showInlineError(form, "<div class='error-box' role='alert'><p><strong>The connection "
          + "failed before the server answered.</strong> Nothing you typed is lost: try "
          + "again.</p></div>");
      });
  }

  // Only forms with something typed into them: a form of buttons has nothing to lose.
  var TYPED = "textarea, input[type=text], input[type=number], input[type=email], "
    + "input[type=date], input[type=datetime-local], input:not([type])";

  function wireInlineForms() {
    document.querySelectorAll("form[method=post]").forEach(function (form) {
      if (form.hasAttribute("data-native") || form.enctype === "multipart/form-data"
          || !form.querySelector(TYPED)) { return; }
      form.addEventListener("submit", function (event) {
        if (!window.fetch || !window.URLSearchParams) { return; }
        event.preventDefault();
        sendInline(form, event.submitter);
      });
    });
  }

  // Before an upload: the same file already in the room (by SHA-256, among the documents
  // this reader sees, as listed on the page) is pointed out; uploading it again stays
  // possible. The file is hashed in the browser and is not sent anywhere for this.
  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  // Every chosen file is hashed (several may be chosen at once); each one already in the
  // room is named. A later choice supersedes a check still running.
  function duplicateOf(file) {
    return file.arrayBuffer().then(function (data) {
      return window.crypto.subtle.digest("SHA-256", data);
    }).then(function (digest) {
      var row = document.querySelector("tr[data-sha256='" + hex(digest) + "']");
      return row ? {file: file.name, room: row.getAttribute("data-name")} : null;
    });
  }

  function duplicateText(found, chosen) {
    var advice = " to: to change a document, upload a new version of it instead.";
    if (chosen === 1) {
      return "This file is already in the room as \u201c" + found[0].room
        + "\u201d. Upload it again only if you mean" + advice;
    }
    return "Already in the room: " + found.map(function (d) {
      return "\u201c" + d.file + "\u201d (as \u201c" + d.room + "\u201d)";
    }).join(", ") + ". Upload " + (found.length === 1 ? "it" : "them")
      + " again only if you mean" + advice;
  }

  function wireDuplicateCheck() {
    document.querySelectorAll("input[type=file][data-duplicate-check]").forEach(function (input) {
      var note = document.getElementById(input.getAttribute("aria-describedby"));
      if (!note || !window.crypto || !window.crypto.subtle || !window.Promise) { return; }
      var latest = 0;
      input.addEventListener("change", function () {
        note.hidden = true;
        var files = Array.prototype.slice.call(input.files || []);
        if (!files.length) { return; }
        var mine = ++latest;
        Promise.all(files.map(duplicateOf)).then(function (results) {
          var found = results.filter(Boolean);
          if (mine !== latest || !found.length) { return; }
          note.textContent = duplicateText(found, files.length);
          note.hidden = false;
        });
      });
    });
  }


  // Live ENE pages: the page polls its session's change feed, a cursor over what this
  // viewer may see (never content), and when the cursor moved it fetches its own page
  // again and swaps the regions marked data-live. A region holding the focus or a choice
  // being made (a release target, a ticked confirmation) waits for the next poll, so
  // nothing the user is doing is taken away; forms outside the regions are never touched.
  // When the page's forms themselves change (the session closed, the evaluator confirmed),
  // it reloads if nothing is typed, else says so and leaves the reload to the user. Polling
  // (not a held connection) works behind any load balancer and any number of replicas;
  // it pauses while the tab is hidden and stops for good on anything but the feed's JSON
  // (an ended session: the next form sent keeps its draft, see above).
  var LIVE_MS = 4000;

  function regionBusy(region) {
    if (region.contains(document.activeElement) && document.activeElement !== document.body) {
      return true;
    }
    return Array.prototype.some.call(region.querySelectorAll("select, input, textarea"),
      function (el) {
        if (el.type === "checkbox" || el.type === "radio") { return el.checked; }
        if (el.type === "hidden") { return false; }
        return el.value !== "";
      });
  }

  function somethingTyped() {
    return Array.prototype.some.call(document.querySelectorAll("form textarea, form input"),
      function (el) {
        return /^(text|number|email|date|datetime-local|)$/.test(el.type) || el.tagName === "TEXTAREA"
          ? el.value !== "" : false;
      });
  }

  function liveSay(text) {
    var note = document.getElementById("live-note");
    if (note) { note.textContent = text; }
  }

  function applyLive(live, html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var next = fresh.getElementById("ene-live");
    if (!next) { return false; }
    if (next.getAttribute("data-live-shape") !== live.getAttribute("data-live-shape")) {
      if (!somethingTyped()) { window.location.reload(); return true; }
      liveSay("This session changed. Send or clear what you are writing, then reload the "
        + "page to see it.");
      return false;
    }
    var swapped = 0;
    var waiting = false;
    fresh.querySelectorAll("[data-live]").forEach(function (region) {
      var key = region.getAttribute("data-live");
      var here = document.querySelector("[data-live='" + key.replace(/'/g, "") + "']");
      if (!here) { waiting = true; return; }
      if (here.innerHTML === region.innerHTML) { return; }
      if (regionBusy(here)) { waiting = true; return; }
      here.replaceWith(document.importNode(region, true));
      swapped += 1;
    });
    if (swapped) {
      liveSay("Updated with new activity.");
      tick();
    }
    if (waiting) { return false; }
    live.setAttribute("data-live-cursor", next.getAttribute("data-live-cursor"));
    return true;
  }

  function wireLive() {
    var live = document.getElementById("ene-live");
    if (!live || !window.fetch || !window.DOMParser) { return; }
    var stopped = false;
    var timer = null;
    function schedule() {
      window.clearTimeout(timer);
      if (!stopped) { timer = window.setTimeout(poll, LIVE_MS); }
    }
    function poll() {
      if (document.hidden) { schedule(); return; }
      var url = live.getAttribute("data-live-url") + "?since="
        + encodeURIComponent(live.getAttribute("data-live-cursor"));
      window.fetch(url, {credentials: "same-origin", redirect: "manual",
                         headers: {"Accept": "application/json"}})
        .then(function (response) {
          var type = response.headers.get("Content-Type") || "";
          if (response.status !== 200 || type.indexOf("application/json") !== 0) {
            stopped = true;
            return null;
          }
          return response.json();
        })
        .then(function (feed) {
          if (!feed || !feed.changed) { return null; }
          // Marked as the page's own doing: it does not count as the user's presence.
          return window.fetch(window.location.pathname, {
            credentials: "same-origin", redirect: "manual",
            headers: {"X-Settleroom-Live": "1"}})
            .then(function (response) {
              if (response.status !== 200) { stopped = true; return; }
              return response.text().then(function (html) { applyLive(live, html); });
            });
        })
        .catch(function () { /* offline for a moment: the next poll tries again */ })
        .then(schedule);
    }
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) { window.clearTimeout(timer); poll(); }
    });
    schedule();
  }

  // A form that cannot be undone (deleting a document) asks first; without script the
  // server's own rule still holds (it refuses once a copy exists).
  function wireConfirmForms() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) {
          event.preventDefault();
          event.stopImmediatePropagation();
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    wireConfirmForms();
    wireDialogs();
    wireDuplicateCheck();
    wireBusyForms();
    wireInlineForms();
    restoreDraft();
    wireLive();
    if (document.querySelector("[data-deadline]")) {
      tick();
      window.setInterval(tick, 1000);
    }
  });
}());
