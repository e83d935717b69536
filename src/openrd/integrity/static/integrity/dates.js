/*
 * A date input holding what the browser cannot read (30 February, a half-typed date)
 * submits an empty value, which the server cannot tell from a date left empty on purpose.
 * On every submit, each such input gets a hidden "<name>-bad" marker, so the server refuses
 * that date instead of saving the disclosure without it. Rows added later by htmx are
 * covered too, because the listener is on the document.
 */
"use strict";

document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement)) {
    return;
  }
  // Markers left by an earlier submit (e.g. a page restored from the back-forward cache).
  form.querySelectorAll("input[data-unreadable-date]").forEach(function (marker) {
    marker.remove();
  });
  form.querySelectorAll("input[type=date]").forEach(function (input) {
    if (input.name && input.validity.badInput) {
      var marker = document.createElement("input");
      marker.type = "hidden";
      marker.name = input.name + "-bad";
      marker.value = "1";
      marker.setAttribute("data-unreadable-date", "");
      form.appendChild(marker);
    }
  });
});
