/* Lead list: the box "select every lead on this page" ticks every row (the server reads it as "all the
   rows shown", so this is only what the eye sees); Enter in a bulk-action field presses that field's own
   button rather than the form's first one. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.classList) return;
    if (box.classList.contains("select-all")) {
      document.querySelectorAll("input.row-select").forEach(function (row) { row.checked = box.checked; });
    } else if (box.classList.contains("row-select") && !box.checked) {
      var all = document.querySelector("input.select-all");
      if (all) all.checked = false;
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.closest) return;
    var row = event.target.closest(".bulk-actions .row");
    if (!row || event.target.tagName !== "INPUT") return;
    var button = row.querySelector("button[name=action]");
    if (button) {
      event.preventDefault();
      button.click();
    }
  });
})();
