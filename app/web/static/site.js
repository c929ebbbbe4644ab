// settleroom pages: dialogs and deadline countdowns. Hand-written; no dependencies.
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

  document.addEventListener("DOMContentLoaded", function () {
    wireDialogs();
    if (document.querySelector("[data-deadline]")) {
      tick();
      window.setInterval(tick, 1000);
    }
  });
}());
