// The proposal editor's autosave answers with the fields it could not save
// (HX-Trigger "openrd:field-errors": {input id: [messages]}). Mark each one
// for sight and for screen readers, and clear the marks of fields now saved;
// the inputs themselves are never replaced, so what was typed stays.
"use strict";

document.addEventListener("openrd:field-errors", (event) => {
  const form = document.getElementById("proposal-form");
  if (!form) return;
  const errors = event.detail || {};
  form.querySelectorAll("[data-field]").forEach((box) => {
    const id = box.dataset.field;
    const input = document.getElementById(id);
    const message = document.getElementById(id + "_error");
    if (!input || !message) return;
    const list = Object.prototype.hasOwnProperty.call(errors, id) ? errors[id] : null;
    const described = (input.getAttribute("aria-describedby") || "")
      .split(" ")
      .filter((token) => token && token !== message.id);
    if (Array.isArray(list) && list.length) {
      message.textContent = list.join(" ");
      message.hidden = false;
      box.classList.add("field--error");
      input.setAttribute("aria-invalid", "true");
      described.push(message.id);
    } else {
      message.textContent = "";
      message.hidden = true;
      box.classList.remove("field--error");
      input.removeAttribute("aria-invalid");
    }
    if (described.length) input.setAttribute("aria-describedby", described.join(" "));
    else input.removeAttribute("aria-describedby");
  });
});
