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

  function wireDialogs() {
    document.querySelectorAll("[data-open-dialog]").forEach(function (btn) {
      var dialog = document.getElementById(btn.getAttribute("data-open-dialog"));
      if (!dialog || typeof dialog.showModal !== "function") { return; }
      btn.hidden = false;
      btn.addEventListener("click", function () { dialog.showModal(); });
    });
    document.querySelectorAll("[data-close-dialog]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var dialog = btn.closest("dialog");
        if (dialog) { dialog.close(); }
      });
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

  function sendWithProgress(form, status) {
    var bar = status.querySelector("progress");
    var label = status.firstChild;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) { return; }
      bar.max = e.total;
      bar.value = e.loaded;
      label.textContent = form.getAttribute("data-busy") + " "
        + Math.round(100 * e.loaded / e.total) + " % sent";
      if (e.loaded === e.total) { label.textContent = "Sent. The server is preparing it…"; }
    });
    xhr.addEventListener("load", function () { showAnswer(form, xhr); });
    xhr.addEventListener("error", function () {
      label.textContent = "The connection failed before the server answered. Nothing was "
        + "changed by this attempt: try again.";
      bar.hidden = true;
      setBusy(form, false);
    });
    xhr.send(new FormData(form));
  }

  function wireBusyForms() {
    document.querySelectorAll("form[data-busy]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        var status = busyStatus(form);
        var upload = form.enctype === "multipart/form-data" && form.querySelector("input[type=file]");
        if (upload && window.FormData) {
          event.preventDefault();
          setBusy(form, true);
          sendWithProgress(form, status);
          return;
        }
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

  document.addEventListener("DOMContentLoaded", function () {
    wireDialogs();
    wireBusyForms();
    if (document.querySelector("[data-deadline]")) {
      tick();
      window.setInterval(tick, 1000);
    }
  });
}());
