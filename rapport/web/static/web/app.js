/* Rapport — the little behaviour the browser needs beyond htmx. No build step, no inline handlers. */
(function () {
  "use strict";

  function closeDropdowns(except) {
    document.querySelectorAll("details.dropdown[open]").forEach(function (d) {
      if (d !== except) d.removeAttribute("open");
    });
  }

  function clearSuggestions(except) {
    document.querySelectorAll(".suggestions, .combo-options").forEach(function (box) {
      if (box !== except && !box.contains(document.activeElement)) box.innerHTML = "";
    });
  }

  // Search select of several records: a chosen one becomes a chip holding its hidden id.
  function addChip(combo, pk, label) {
    var list = combo.querySelector(".combo-chosen");
    var input = combo.querySelector(".combo-input");
    var known = Array.prototype.some.call(list.querySelectorAll("input[type=hidden]"), function (field) {
      return field.value === pk;
    });
    if (pk && !known) {
      var chip = document.createElement("li");
      chip.className = "chip";
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = combo.dataset.name;
      hidden.value = pk;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "chip-remove combo-remove";
      button.title = combo.dataset.removeLabel || "";
      button.textContent = "×";
      chip.append(hidden, document.createTextNode(label), button);
      list.append(chip);
    }
    input.value = "";
    combo.querySelector(".combo-options").innerHTML = "";
    input.focus();
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    var dropdown = target.closest("details.dropdown");
    closeDropdowns(dropdown);
    if (!target.closest(".global-search") && !target.closest(".combo")) clearSuggestions(null);

    // Searchable select: picking one suggestion fills the hidden value and the visible text.
    var option = target.closest(".combo-option");
    if (option && option.closest(".combo-multi")) {
      event.preventDefault();
      addChip(option.closest(".combo-multi"), option.dataset.value || "", option.dataset.label || "");
      return;
    }
    var remove = target.closest(".combo-remove");
    if (remove) {
      event.preventDefault();
      var chip = remove.closest("li");
      var box = chip.closest(".combo-multi");
      chip.remove();
      box.querySelector(".combo-input").focus();
      return;
    }
    if (option) {
      event.preventDefault();
      var combo = option.closest(".combo");
      var value = combo.querySelector(".combo-value");
      var input = combo.querySelector(".combo-input");
      value.value = option.dataset.value || "";
      input.value = option.dataset.label || "";
      combo.querySelector(".combo-options").innerHTML = "";
      value.dispatchEvent(new Event("change", { bubbles: true }));
      input.focus();
      return;
    }

    // "Copy" buttons next to a read-only field (the API token shown once).
    var copy = target.closest("[data-copy-target]");
    if (copy) {
      var field = document.getElementById(copy.dataset.copyTarget);
      if (field) {
        field.select();
        if (navigator.clipboard) navigator.clipboard.writeText(field.value);
        copy.textContent = copy.dataset.copiedLabel || copy.textContent;
      }
    }
  });

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (input.classList && input.classList.contains("combo-input") && input.value.trim() === "") {
      var value = input.closest(".combo").querySelector(".combo-value");
      if (value && value.value !== "") {
        value.value = "";
        value.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      closeDropdowns(null);
      document.querySelectorAll(".suggestions, .combo-options").forEach(function (box) { box.innerHTML = ""; });
    }
  });
})();
