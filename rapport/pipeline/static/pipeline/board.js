/* Kanban board: drag a card to another column with the mouse, a finger (by its grip) or a pen —
   Pointer Events, no library. Dropping submits the card's own "Move to…" form (htmx posts it), so a
   drag and the keyboard path are one request. A refusal answers a <dialog> that is opened here; the
   successful answer moves the card and refreshes the column totals itself (out-of-band swaps). */
(function () {
  "use strict";

  var THRESHOLD = 6; // pixels the pointer travels before a press becomes a drag
  var EDGE = 48; // pixels from the board's edge where a drag scrolls it
  var drag = null;
  var suppressClick = false;

  function board() { return document.getElementById("board"); }

  function columnAt(x, y) {
    var element = document.elementFromPoint(x, y);
    return element && element.closest ? element.closest(".board-column") : null;
  }

  function highlight(column) {
    if (drag.over === column) return;
    if (drag.over) drag.over.classList.remove("is-drop-target");
    drag.over = column;
    if (column && column.dataset.stage !== drag.card.dataset.stage) column.classList.add("is-drop-target");
  }

  function start() {
    var card = drag.card;
    var rect = card.getBoundingClientRect();
    var ghost = card.cloneNode(true);
    ghost.removeAttribute("id");
    ghost.querySelectorAll("[id]").forEach(function (el) { el.removeAttribute("id"); });
    ghost.classList.add("board-ghost");
    ghost.setAttribute("aria-hidden", "true");
    ghost.style.width = rect.width + "px";
    drag.offsetX = drag.startX - rect.left;
    drag.offsetY = drag.startY - rect.top;
    document.body.appendChild(ghost);
    drag.ghost = ghost;
    drag.active = true;
    card.classList.add("is-dragging");
    document.body.classList.add("board-dragging");
    var selection = window.getSelection && window.getSelection();
    if (selection) selection.removeAllRanges();
  }

  function follow(x, y) {
    drag.ghost.style.left = x - drag.offsetX + "px";
    drag.ghost.style.top = y - drag.offsetY + "px";
    highlight(columnAt(x, y));
    var area = board();
    if (!area) return;
    var rect = area.getBoundingClientRect();
    if (x > rect.right - EDGE) area.scrollLeft += 12;
    else if (x < rect.left + EDGE) area.scrollLeft -= 12;
  }

  function finish(drop) {
    var current = drag;
    drag = null;
    if (!current.active) return;
    suppressClick = true;
    window.setTimeout(function () { suppressClick = false; }, 0);
    current.card.classList.remove("is-dragging");
    document.body.classList.remove("board-dragging");
    if (current.ghost) current.ghost.remove();
    if (current.over) current.over.classList.remove("is-drop-target");
    if (drop && current.over && current.over.dataset.stage !== current.card.dataset.stage) {
      move(current.card, current.over.dataset.stage);
    }
  }

  function move(card, stageId) {
    var form = card.querySelector("form.board-card-move");
    if (!form) return;
    var select = form.querySelector("select[name=stage]");
    select.value = stageId;
    if (select.value !== String(stageId)) return; // not a stage of this pipeline
    card.classList.add("is-moving");
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  }

  document.addEventListener("pointerdown", function (event) {
    if (drag || event.button !== 0 || !event.target.closest) return;
    var card = event.target.closest(".board-card[data-draggable]");
    if (!card || event.target.closest("select, button, input, textarea, label, .board-card-move")) return;
    // A finger or a pen scrolls the board, except from the card's grip.
    if (event.pointerType !== "mouse" && !event.target.closest(".board-grip")) return;
    drag = { card: card, pointerId: event.pointerId, startX: event.clientX, startY: event.clientY, active: false, over: null };
  });

  document.addEventListener("pointermove", function (event) {
    if (!drag || event.pointerId !== drag.pointerId) return;
    if (!drag.active) {
      if (Math.abs(event.clientX - drag.startX) + Math.abs(event.clientY - drag.startY) < THRESHOLD) return;
      start();
    }
    event.preventDefault();
    follow(event.clientX, event.clientY);
  });

  document.addEventListener("pointerup", function (event) {
    if (drag && event.pointerId === drag.pointerId) finish(true);
  });

  document.addEventListener("pointercancel", function (event) {
    if (drag && event.pointerId === drag.pointerId) finish(false);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && drag) finish(false);
  });

  // The browser's own drag of a link or text would take the pointer away.
  document.addEventListener("dragstart", function (event) {
    if (event.target.closest && event.target.closest(".board-card")) event.preventDefault();
  });

  // The click that ends a drag is not a click on the card's link.
  document.addEventListener("click", function (event) {
    if (suppressClick) {
      event.preventDefault();
      event.stopPropagation();
      suppressClick = false;
      return;
    }
    var close = event.target.closest && event.target.closest("[data-dialog-close]");
    if (close) {
      var dialog = close.closest("dialog");
      if (dialog) dialog.close();
    }
  }, true);

  // A dialog closed (Cancel or Escape) is removed, so the next refusal opens a fresh one.
  document.addEventListener("close", function (event) {
    if (event.target.matches && event.target.matches("dialog.gate-dialog")) event.target.remove();
  }, true);

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-autosubmit]")) event.target.form.submit();
  });

  function openDialogs() {
    document.querySelectorAll("dialog.gate-dialog:not([open])").forEach(function (dialog) {
      dialog.showModal();
      var first = dialog.querySelector("input:not([type=hidden]), select, textarea");
      if (first) first.focus();
    });
  }

  document.addEventListener("htmx:afterSettle", openDialogs);

  // After a move was answered, each card's list reads "Move to…" again (a refused card stays put).
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target.closest && event.target.closest("form.board-card-move");
    if (form) form.querySelector("select[name=stage]").selectedIndex = 0;
    document.querySelectorAll(".board-card.is-moving").forEach(function (card) { card.classList.remove("is-moving"); });
  });

  document.addEventListener("htmx:responseError", function (event) {
    var feedback = document.getElementById("board-feedback");
    var area = board();
    if (!feedback || !area || !event.target.closest || !event.target.closest(".board-card-move, .gate-form")) return;
    feedback.innerHTML = "";
    var alert = document.createElement("div");
    alert.className = "alert alert-error";
    alert.setAttribute("role", "alert");
    alert.textContent = area.dataset.errorMessage;
    feedback.appendChild(alert);
  });
})();
