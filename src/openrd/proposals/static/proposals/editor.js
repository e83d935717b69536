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

// ---------------------------------------------------------------------------
// Guidance while typing (progressive enhancement: the server renders the same
// texts on every page and autosave; the wording comes from data-template-*
// attributes the server filled in, so both always say the same thing).

function fillTemplate(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, key) =>
    Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole,
  );
}

// Characters as the server counts them: code points, a line break as one.
function characterCount(value) {
  return Array.from(value.replace(/\r\n/g, "\n")).length;
}

function updateCounter(input) {
  const form = document.getElementById("proposal-form");
  const counter = document.getElementById(input.id + "_counter");
  if (!form || !counter) return;
  const limit = Number(input.dataset.counterLimit);
  const count = characterCount(input.value);
  const over = count > limit;
  const template = over ? form.dataset.counterOverTemplate : form.dataset.counterTemplate;
  counter.textContent = fillTemplate(template || "{count} / {limit}", {
    count,
    limit,
    over: count - limit,
  });
  counter.classList.toggle("field__counter--over", over);
}

// A typed amount in yen as the server reads it (core.money.validate_yen):
// full-width digits folded, "¥" before or "円" after, thousands commas; a minus
// sign, a fraction or anything else is not counted (the autosave marks it).
const MINUS = /^[-−‐‑‒–—―ー▲△]/;
function parseYen(raw) {
  let text = (raw || "").normalize("NFKC").trim();
  if (!text || MINUS.test(text)) return null;
  text = text.replace(/^¥/, "").replace(/円$/, "").trim();
  if (!/^(\d{1,3}(,\d{3})+|\d+)$/.test(text)) return null;
  return BigInt(text.replace(/,/g, ""));
}

function grouped(value) {
  return value.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

// The same as proposals.rules.guidance.man_yen: "1,500万円", "1.25万円", "9,999円".
function manYen(amount, lang) {
  if (lang === "en") return "¥" + grouped(amount);
  const man = 10000n;
  if (amount < man) return grouped(amount) + "円";
  const rest = (amount % man).toString().padStart(4, "0").replace(/0+$/, "");
  return grouped(amount / man) + (rest ? "." + rest : "") + "万円";
}

function updateBudget() {
  const box = document.getElementById("budget-total");
  const form = document.getElementById("proposal-form");
  if (!box || !form) return;
  let total = 0n;
  form.querySelectorAll('input[name^="budget_"]').forEach((input) => {
    const amount = parseYen(input.value);
    if (amount !== null) total += amount;
  });
  const cap = BigInt(box.dataset.cap || "0");
  const lang = box.dataset.lang || "ja";
  const over = total > cap;
  const standing = over
    ? fillTemplate(box.dataset.templateOver, { amount: manYen(total - cap, lang) })
    : fillTemplate(box.dataset.templateRemaining, { amount: manYen(cap - total, lang) });
  box.querySelector("[data-budget-sum]").textContent = fillTemplate(box.dataset.templateTotal, {
    amount: manYen(total, lang),
  });
  const line = box.querySelector("[data-budget-standing]");
  if (line.textContent !== standing) line.textContent = standing;
  box.classList.toggle("budget-total--over", over);
}

document.addEventListener("input", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLElement) || !input.closest("#proposal-form")) return;
  if (input.dataset.counterLimit) updateCounter(input);
  if ((input.getAttribute("name") || "").startsWith("budget_")) updateBudget();
});

// The error summary: focused when a page answers with one (a refused submission,
// fields to correct), so it is read first; each link moves to its field.
function focusSummary(root) {
  const summary = (root || document).querySelector("[data-error-summary], .error-summary");
  if (summary) summary.focus();
}

document.addEventListener("click", (event) => {
  const link = event.target instanceof Element ? event.target.closest(".error-summary a") : null;
  if (!link) return;
  const href = link.getAttribute("href") || "";
  if (!href.startsWith("#")) return;
  const field = document.getElementById(href.slice(1));
  if (!field) return;
  event.preventDefault();
  // Its label (and the marker beside it) scrolls into view with the field.
  const label = document.querySelector('label[for="' + field.id + '"]');
  (label || field).scrollIntoView({ block: "start" });
  field.focus({ preventScroll: true });
});

document.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail && event.detail.target;
  if (target instanceof Element && target.matches("[data-error-summary], .error-summary")) {
    focusSummary(target.parentElement);
  } else if (target instanceof Element && target.querySelector("[data-error-summary], .error-summary")) {
    focusSummary(target);
  }
});

function startGuidance() {
  focusSummary(document);
  document.querySelectorAll("#proposal-form [data-counter-limit]").forEach(updateCounter);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startGuidance);
else startGuidance();
