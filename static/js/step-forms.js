// Small step forms (<details class="step-form">): focus moves into the form when it opens, Escape
// or Cancel closes it and returns focus to its button; after an htmx swap, focus goes to the
// confirmation or to the first field with an error, so keyboard and screen-reader users follow.
(function () {
  "use strict";

  function firstField(details) {
    return details.querySelector(
      "[aria-invalid='true'], input:not([type='hidden']), textarea, select, button[type='submit']"
    );
  }

  function close(details) {
    details.open = false;
    var summary = details.querySelector("summary");
    if (summary) summary.focus();
  }

  document.addEventListener(
    "toggle",
    function (event) {
      var details = event.target;
      if (!(details instanceof HTMLDetailsElement) || !details.classList.contains("step-form")) return;
      if (details.open) {
        var field = firstField(details);
        if (field) field.focus();
      }
    },
    true
  );

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var details = event.target.closest && event.target.closest("details.step-form[open]");
    if (details) {
      event.preventDefault();
      close(details);
    }
  });

  document.addEventListener("click", function (event) {
    var cancel = event.target.closest && event.target.closest(".step-cancel");
    if (!cancel) return;
    var details = cancel.closest("details.step-form");
    if (details) {
      event.preventDefault();
      close(details);
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var root = event.detail && event.detail.elt;
    if (!root || !root.isConnected) root = document;
    var open = document.querySelector("details.step-form[open] [aria-invalid='true']");
    var target = open || (root.matches && root.matches("[data-focus]") ? root : root.querySelector("[data-focus]"));
    if (target) target.focus();
  });
})();
