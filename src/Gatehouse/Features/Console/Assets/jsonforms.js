// Forms over a JSON field: what the playbook builder and the integration commands editor share. The JSON text area
// stays the one thing a form saves; the forms write into a model that is written back to it at each change, and
// read it again when it is edited by hand. Every change is checked by the API as saving would check it.
"use strict";
(() => {
  // Properties are set as properties, except those the DOM only takes as attributes (list, role, data-*, aria-*).
  const element = (tag, properties = {}, ...children) => {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(properties)) {
      if (name === "list" || name === "role" || name.includes("-")) el.setAttribute(name, value); else el[name] = value;
    }
    el.append(...children.filter(c => c !== null && c !== undefined));
    return el;
  };

  // A labelled control, its note and the slot its error is shown in (id-error).
  const field = (id, label, control, note) => element("div", { className: "field" },
    element("label", { htmlFor: id, textContent: label }), control, note ?? null, element("p", { className: "field-error", id: `${id}-error` }));
  const input = (id, name, value, properties = {}) => element("input", { id, name, value: value ?? "", defaultValue: value ?? "", ...properties });
  const jsonArea = (id, name, value, rows = 3) => element("textarea", { id, name, rows, spellcheck: false, className: "task-json", value: value === undefined ? "" : JSON.stringify(value, null, 2) });

  /**
   * Binds a model to its JSON text area (source). onRead(value, usable) is called with what the area holds when it is
   * edited by hand; write(model) puts the model back. check: { url, route(message) -> list element or null, show(text, failed, general),
   * summary(result) } runs the API's check half a second after the last change.
   */
  function bind(source, { onRead, usable, check }) {
    let written = null, timer = 0, sequence = 0, latest = null;
    const fieldErrors = new Map();
    const binding = {
      write(model) {
        latest = model;
        written = JSON.stringify(model, null, 2);
        source.value = written;
        source.dispatchEvent(new Event("code:set"));
        binding.schedule();
      },
      read() {
        let parsed;
        try { parsed = JSON.parse(source.value); } catch { parsed = undefined; }
        const ok = parsed !== undefined && usable(parsed);
        if (ok) { latest = parsed; fieldErrors.clear(); }
        onRead(parsed, ok);
        if (ok) binding.schedule();
        else check.show("The JSON below does not parse as this definition yet: the forms show its last version that did; fix the JSON to edit them again.", true);
      },
      // A field's own error (a JSON field that does not parse): shown under it, and saving waits until it is fixed.
      fieldError(id, message) {
        if (message) fieldErrors.set(id, message); else fieldErrors.delete(id);
        const el = document.getElementById(id), slot = document.getElementById(`${id}-error`);
        if (slot) slot.textContent = message ?? "";
        if (el) { if (message) el.setAttribute("aria-invalid", "true"); else el.removeAttribute("aria-invalid"); }
      },
      clearFieldErrors() { fieldErrors.clear(); },
      schedule() {
        clearTimeout(timer);
        timer = setTimeout(validate, 500);
      },
    };
    async function validate() {
      const mine = ++sequence;
      try {
        const result = await window.gatehouse.api("POST", check.url, check.body ? check.body(latest) : latest);
        if (mine !== sequence) return;
        check.clear?.();
        if (fieldErrors.size) check.show("Some fields are not JSON yet (marked below): the check ran on their last valid values.", true);
        else check.show(check.summary(result), false);
      } catch (err) {
        if (mine !== sequence) return;
        check.clear?.();
        const all = err.errors?.length ? err.errors : [err.message];
        const general = [];
        for (const message of all) {
          const list = check.route(message);
          if (list) list.append(element("li", { textContent: message })); else general.push(message);
        }
        check.show(`${all.length} problem${all.length === 1 ? "" : "s"}: saving would refuse this.`, true, general);
      }
    }
    source.addEventListener("input", () => { if (source.value !== written) binding.read(); });
    // Saving sends the JSON; while a field is not JSON yet, the JSON does not hold what the form shows.
    source.form.addEventListener("submit", e => {
      if (fieldErrors.size === 0) return;
      e.preventDefault();
      e.stopPropagation();
      check.show("Nothing was saved: a field is not valid JSON yet (marked below).", true);
      document.getElementById(fieldErrors.keys().next().value)?.focus();
    });
    return binding;
  }

  /** Reads a JSON field: { value } once it parses as wanted (an object, a list), { empty } when blank, else { error }. */
  function readJson(text, want) {
    if (text.trim() === "") return { empty: true };
    try {
      const value = JSON.parse(text);
      if (want === "object" && (value === null || typeof value !== "object" || Array.isArray(value))) return { error: true };
      if (want === "list" && !Array.isArray(value)) return { error: true };
      return { value };
    } catch { return { error: true }; }
  }

  // The status line and the problems no item's form owns, shown at the top of a builder.
  function checkArea(check, problems) {
    return (message, failed, general = []) => {
      check.textContent = message;
      check.classList.toggle("failed", failed);
      problems.replaceChildren(...general.map(m => element("li", { textContent: m })));
    };
  }

  window.gatehouseForms = Object.freeze({ element, field, input, jsonArea, bind, readJson, checkArea });
})();
