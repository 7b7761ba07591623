/* The calendar: lays timed events out on the day/week grid (side by side when they overlap), opens
   the activity dialogs, and moves or resizes events by dragging (Pointer Events, no library). A drop
   posts to the move endpoint; a refusal snaps the event back and says why, a success reloads the
   calendar body (a series may have moved as a whole). Without this script the page still works:
   events read as a list per day and every link opens a full page. */
(function () {
  "use strict";

  var THRESHOLD = 5; // pixels the pointer travels before a press becomes a drag
  var SNAP = 15; // minutes a drag or a resize moves by
  var DAY = 24 * 60;
  var drag = null;
  var suppressClick = false;

  function calendarElement() { return document.getElementById("calendar"); }
  function dialog() { return document.getElementById("activity-dialog"); }

  // --- layout ------------------------------------------------------------------------------------

  function minuteHeight(grid) {
    var slot = grid.querySelector(".cal-slot");
    var col = grid.querySelector(".cal-col");
    if (slot) return slot.getBoundingClientRect().height / 30;
    return col ? col.getBoundingClientRect().height / DAY : 1;
  }

  function stacked(grid) {
    // A phone shows the week as a list of days: nothing to lay out, nothing to drag.
    return grid.classList.contains("cal-grid-week") && window.matchMedia("(max-width: 760px)").matches;
  }

  function layColumn(col) {
    var events = Array.prototype.slice.call(col.querySelectorAll(".cal-event[data-top]"));
    events.sort(function (a, b) { return (+a.dataset.top - +b.dataset.top) || (+b.dataset.bottom - +a.dataset.bottom); });
    var cluster = [];
    var clusterEnd = -1;
    var lanesEnd = [];
    function closeCluster() {
      cluster.forEach(function (el) { el.style.setProperty("--lanes", String(lanesEnd.length)); });
      cluster = [];
      lanesEnd = [];
    }
    events.forEach(function (el) {
      var top = +el.dataset.top;
      var bottom = Math.max(+el.dataset.bottom, top + 20); // a short event still takes some room
      if (top >= clusterEnd) closeCluster();
      var lane = lanesEnd.findIndex(function (end) { return end <= top; });
      if (lane === -1) { lane = lanesEnd.length; lanesEnd.push(bottom); } else { lanesEnd[lane] = bottom; }
      clusterEnd = Math.max(clusterEnd, bottom);
      el.style.setProperty("--top", String(top));
      el.style.setProperty("--len", String(Math.max(+el.dataset.bottom - top, 0)));
      el.style.setProperty("--lane", String(lane));
      cluster.push(el);
    });
    closeCluster();
  }

  function layOut(firstTime) {
    document.querySelectorAll(".cal-grid").forEach(function (grid) {
      grid.querySelectorAll(".cal-col").forEach(layColumn);
      grid.classList.add("is-laid-out");
      var scroller = grid.querySelector(".cal-scroll");
      if (firstTime && scroller) scroller.scrollTop = 7 * 60 * minuteHeight(grid); // the working day
    });
  }

  // --- messages ------------------------------------------------------------------------------------

  function say(message, level) {
    var box = document.getElementById("calendar-feedback");
    if (!box || !message) return;
    box.innerHTML = "";
    var alert = document.createElement("div");
    alert.className = "alert alert-" + (level || "success");
    alert.setAttribute("role", level === "error" ? "alert" : "status");
    alert.textContent = message;
    box.appendChild(alert);
  }

  function refresh() {
    var element = calendarElement();
    if (element && window.htmx) window.htmx.trigger(element, "calendarRefresh");
  }

  // --- dialogs -------------------------------------------------------------------------------------

  function openInDialog(url) {
    var box = dialog();
    if (!box || !window.htmx) return false;
    window.htmx.ajax("GET", url, { target: "#activity-dialog-body", swap: "innerHTML" });
    return true;
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target) return;
    if (target.id === "activity-dialog-body") {
      var box = dialog();
      if (box && !box.open) box.showModal();
      var first = target.querySelector("input:not([type=hidden]):not([type=search]), select, textarea");
      if (first) first.focus();
    }
  });

  // A reload of the calendar body keeps the time grid where the person had scrolled it.
  var keptScroll = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail && event.detail.target;
    var scroller = target && target.id === "calendar" ? target.querySelector(".cal-scroll") : null;
    keptScroll = scroller ? scroller.scrollTop : null;
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || target.id !== "calendar") return;
    layOut(keptScroll === null);
    var scroller = target.querySelector(".cal-scroll");
    if (scroller && keptScroll !== null) scroller.scrollTop = keptScroll;
  });

  // A save answers with this event: close the dialog, say so; the calendar reloads itself.
  document.body.addEventListener("activitySaved", function (event) {
    var box = dialog();
    if (box && box.open) box.close();
    say(event.detail && event.detail.message, "success");
  });

  document.addEventListener("close", function (event) {
    if (event.target.id === "activity-dialog") document.getElementById("activity-dialog-body").innerHTML = "";
  }, true);

  document.addEventListener("click", function (event) {
    if (suppressClick) {
      event.preventDefault();
      event.stopPropagation();
      suppressClick = false;
      return;
    }
    if (!event.target.closest) return;
    var close = event.target.closest("[data-dialog-close]");
    if (close) {
      var box = close.closest("dialog");
      if (box) box.close();
      return;
    }
    var link = event.target.closest("a[data-dialog]");
    if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey && openInDialog(link.getAttribute("href"))) {
      event.preventDefault();
      return;
    }
    // A click on the free part of a month's day plans an activity on that day.
    var cell = event.target.closest(".cal-month-day");
    if (cell && event.target === cell) {
      var add = cell.querySelector(".cal-month-add");
      if (add && openInDialog(add.getAttribute("href"))) event.preventDefault();
    }
  }, true);

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-autosubmit]") && target.form) target.form.submit();
    // Another record type: the chosen record no longer fits.
    if (target.id === "id_related_type") {
      var record = target.form && target.form.querySelector("input[name=related_id]");
      var combo = record && record.closest(".combo");
      if (combo) {
        combo.querySelector(".combo-value").value = "";
        combo.querySelector(".combo-input").value = "";
        combo.querySelector(".combo-options").innerHTML = "";
      }
    }
  });

  // --- drag and resize -----------------------------------------------------------------------------

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function localText(date, minutes) {
    // `date` is YYYY-MM-DD on the viewer's wall clock; computed in UTC so the browser's own zone
    // (which may differ from the user's) never shifts it.
    var parts = date.split("-");
    var moment = new Date(Date.UTC(+parts[0], +parts[1] - 1, +parts[2]) + minutes * 60000);
    return moment.getUTCFullYear() + "-" + pad(moment.getUTCMonth() + 1) + "-" + pad(moment.getUTCDate()) +
      "T" + pad(moment.getUTCHours()) + ":" + pad(moment.getUTCMinutes());
  }

  function daysBetween(a, b) {
    var pa = a.split("-"), pb = b.split("-");
    return Math.round((Date.UTC(+pb[0], +pb[1] - 1, +pb[2]) - Date.UTC(+pa[0], +pa[1] - 1, +pa[2])) / 86400000);
  }

  function columnAt(x, y) {
    var element = document.elementFromPoint(x, y);
    return element && element.closest ? element.closest(".cal-col") : null;
  }

  function snap(minutes) { return Math.round(minutes / SNAP) * SNAP; }

  function begin(event) {
    var eventElement = event.target.closest(".cal-event[data-movable][data-top]");
    if (!eventElement) return;
    var grid = eventElement.closest(".cal-grid.is-laid-out");
    if (!grid || stacked(grid)) return;
    var col = eventElement.closest(".cal-col");
    drag = {
      element: eventElement,
      grid: grid,
      resize: !!event.target.closest(".cal-resize"),
      pointerId: event.pointerId,
      startX: event.clientX,
      startY: event.clientY,
      active: false,
      home: col,
      homeParent: eventElement.parentNode,
      homeNext: eventElement.nextSibling,
      homeStyle: eventElement.getAttribute("style") || "",
      top: +eventElement.dataset.top,
      len: Math.max(+eventElement.dataset.bottom - +eventElement.dataset.top, SNAP),
      perMinute: minuteHeight(grid),
      col: col,
      newTop: +eventElement.dataset.top,
      newLen: Math.max(+eventElement.dataset.bottom - +eventElement.dataset.top, SNAP),
    };
  }

  function follow(event) {
    var d = drag;
    var dy = (event.clientY - d.startY) / d.perMinute;
    if (d.resize) {
      d.newLen = Math.max(SNAP, Math.min(DAY - d.top, snap(d.len + dy)));
      d.element.style.setProperty("--len", String(d.newLen));
      return;
    }
    d.element.style.pointerEvents = "none"; // so the column under the pointer can be found
    var col = columnAt(event.clientX, event.clientY) || d.col;
    d.element.style.pointerEvents = "";
    d.newTop = Math.max(0, Math.min(DAY - SNAP, snap(d.top + dy)));
    if (col !== d.col) {
      col.querySelector(".cal-events").appendChild(d.element);
      d.col = col;
    }
    d.element.style.setProperty("--top", String(d.newTop));
    d.element.style.setProperty("--lane", "0");
    d.element.style.setProperty("--lanes", "1");
  }

  function snapBack(d) {
    d.element.setAttribute("style", d.homeStyle);
    d.homeParent.insertBefore(d.element, d.homeNext);
    d.element.classList.remove("is-dragging", "is-saving");
  }

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  }

  function post(d) {
    var element = d.element;
    var moved = d.newTop !== d.top || d.col !== d.home;
    if (d.resize ? d.newLen === d.len : !moved) { snapBack(d); return; }
    var homeDate = d.home.dataset.date;
    var body = new URLSearchParams();
    body.set("activity", element.dataset.activity);
    if (d.resize) {
      // Same start, a new end on the day the bottom edge was dragged on.
      body.set("occurrence", element.dataset.occurrence);
      body.set("start", element.dataset.occurrence);
      body.set("end", localText(homeDate, d.top + d.newLen));
    } else {
      // The drawn segment (on its day, in wall-clock time) moved by this many minutes; so does the
      // occurrence, and with it the series.
      var shift = daysBetween(homeDate, d.col.dataset.date) * DAY + (d.newTop - d.top);
      body.set("occurrence", localText(homeDate, d.top));
      body.set("start", localText(homeDate, d.top + shift));
    }
    element.classList.add("is-saving");
    var calendar = calendarElement();
    fetch(calendar.dataset.moveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString(),
    }).then(function (response) {
      return response.json().catch(function () { return { ok: false }; }).then(function (answer) {
        if (response.ok && answer.ok) {
          say(answer.message, "success");
          refresh();
        } else {
          snapBack(d);
          say(answer.message || calendar.dataset.errorMessage, "error");
        }
      });
    }).catch(function () {
      snapBack(d);
      say(calendar.dataset.errorMessage, "error");
    });
  }

  document.addEventListener("pointerdown", function (event) {
    if (drag || event.button !== 0 || !event.target.closest) return;
    if (event.pointerType === "touch") return; // a finger scrolls the day; the dialog changes the time
    begin(event);
  });

  document.addEventListener("pointermove", function (event) {
    if (!drag || event.pointerId !== drag.pointerId) return;
    if (!drag.active) {
      if (Math.abs(event.clientX - drag.startX) + Math.abs(event.clientY - drag.startY) < THRESHOLD) return;
      drag.active = true;
      drag.element.classList.add("is-dragging");
      document.body.classList.add("cal-dragging");
    }
    event.preventDefault();
    follow(event);
  });

  function finish(drop) {
    var d = drag;
    drag = null;
    if (!d || !d.active) return;
    suppressClick = true;
    window.setTimeout(function () { suppressClick = false; }, 0);
    document.body.classList.remove("cal-dragging");
    d.element.classList.remove("is-dragging");
    if (drop) post(d); else snapBack(d);
  }

  document.addEventListener("pointerup", function (event) {
    if (drag && event.pointerId === drag.pointerId) finish(true);
  });
  document.addEventListener("pointercancel", function (event) {
    if (drag && event.pointerId === drag.pointerId) finish(false);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && drag) finish(false);
  });
  document.addEventListener("dragstart", function (event) {
    if (event.target.closest && event.target.closest(".cal-event")) event.preventDefault();
  });

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(function () { layOut(false); }, 150);
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { layOut(true); });
  else layOut(true);
})();
